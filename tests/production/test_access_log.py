"""gunicorn's access log through the project's logger: the same lines, fewer fields built."""

import datetime as dt
import logging

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from events_project.access_log import AccessLogger

PROJECT_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class Answer:
    def __init__(self, status, sent, headers):
        self.status, self.sent, self.headers = status, sent, headers


class Request:
    def __init__(self, headers):
        self.headers = headers


def one_line(logger_class, log_format: str, *, path: str = "/api/events/3/registrations/", sent=412) -> str:
    """The line ``logger_class`` writes for one request, with ``log_format``."""
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", log_format)
    logger = logger_class(config)
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    logger.access_log.handlers = [Keep()]
    environ = {
        "REMOTE_ADDR": "10.1.2.3",
        "REQUEST_METHOD": "POST",
        "RAW_URI": path + "?email=someone@example.org",
        "PATH_INFO": path,
        "QUERY_STRING": "email=someone@example.org",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": "Door/1.0",
    }
    answer = Answer("201 Created", sent, [("Content-Type", "application/json"), ("Content-Language", "az")])
    logger.access(answer, Request([("USER-AGENT", "Door/1.0")]), environ, dt.timedelta(seconds=1, microseconds=5_300))
    assert len(lines) == 1
    return lines[0]


@pytest.mark.parametrize(
    "path, sent",
    [("/api/events/3/registrations/", 412), ('/events/"quoted"/', 0), ("/bilet/ş/", None)],
)
def test_the_projects_format_writes_what_gunicorns_own_logger_writes(path, sent):
    ours = one_line(AccessLogger, PROJECT_FORMAT, path=path, sent=sent)

    assert ours == one_line(Logger, PROJECT_FORMAT, path=path, sent=sent)
    assert ours.startswith('10.1.2.3 "POST ') and ours.endswith(" 1005ms")
    assert "example.org" not in ours  # the path only, never the query string


def test_a_format_naming_other_fields_gets_gunicorns_full_set():
    log_format = '%(h)s %(r)s %(s)s "%({user-agent}i)s" %({content-language}o)s'

    ours = one_line(AccessLogger, log_format)

    assert ours == one_line(Logger, log_format)
    assert '"Door/1.0" az' in ours


def test_only_the_named_fields_are_built():
    config = Config()
    config.set("access_log_format", PROJECT_FORMAT)
    environ = {"REMOTE_ADDR": "10.1.2.3", "REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_USER_AGENT": "Door/1.0"}
    answer = Answer("200 OK", 10, [("Content-Type", "text/html")])

    atoms = AccessLogger(config).atoms(answer, Request([("USER-AGENT", "Door/1.0")]), environ, dt.timedelta())

    assert set(atoms) == set("hmUsBM")


def test_the_project_runs_gunicorn_with_this_logger_and_format():
    settings = {}
    exec(compile(open("gunicorn.conf.py").read(), "gunicorn.conf.py", "exec"), settings)  # noqa: S102 - our own file

    assert settings["logger_class"] == "events_project.access_log.AccessLogger"
    assert settings["access_log_format"] == PROJECT_FORMAT
