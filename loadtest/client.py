"""HTTP clients for the load suite: timed requests, many at once, and the figures they give."""

import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests


@dataclass
class Outcome:
    status: int  # 0: no HTTP answer at all (connection refused, reset, timed out)
    seconds: float
    body: dict | None = None
    retry_after: str | None = None
    error: str = ""


@dataclass
class Tally:
    """Every request a scenario made, and what came back."""

    outcomes: list[Outcome] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome) -> Outcome:
        with self.lock:
            self.outcomes.append(outcome)
        return outcome

    def stop(self) -> None:
        self.finished = time.monotonic()

    @property
    def requests(self) -> int:
        return len(self.outcomes)

    def statuses(self) -> Counter:
        return Counter(outcome.status for outcome in self.outcomes)

    def throughput(self) -> float:
        elapsed = (self.finished or time.monotonic()) - self.started
        return self.requests / elapsed if elapsed > 0 else 0.0

    def percentile(self, share: float) -> float:
        """Latency in milliseconds below which ``share`` of the requests finished."""
        latencies = sorted(outcome.seconds for outcome in self.outcomes)
        if not latencies:
            return 0.0
        if len(latencies) == 1:
            return latencies[0] * 1000
        return statistics.quantiles(latencies, n=100, method="inclusive")[round(share * 100) - 1] * 1000


def call(tally: Tally, session: requests.Session, method: str, url: str, **kwargs) -> Outcome:
    kwargs.setdefault("timeout", 60)
    started = time.monotonic()
    try:
        response = session.request(method, url, **kwargs)
    except requests.RequestException as error:
        return tally.add(Outcome(0, time.monotonic() - started, error=type(error).__name__))
    elapsed = time.monotonic() - started
    try:
        body = response.json()
    except ValueError:
        body = None
    return tally.add(Outcome(response.status_code, elapsed, body, response.headers.get("Retry-After")))


def all_at_once(jobs: list, workers: int) -> list:
    """Run callables on ``workers`` threads released together by one signal; return their results."""
    go = threading.Event()

    def run(job):
        go.wait(timeout=60)
        return job()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        time.sleep(0.2)  # let the threads start and wait at the line
        go.set()
        return [future.result() for future in futures]


def session(token: str | None = None) -> requests.Session:
    client = requests.Session()
    if token:
        client.headers["Authorization"] = f"Token {token}"
    return client
