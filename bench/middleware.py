from django.db import connections

# the statements this worker prepared (events_project.prepared) that only read: an EXECUTE names
# the statement, not what it does, so what it does is noted when it is prepared
_prepared_reads: set[str] = set()


def _reads_only(sql: str) -> bool:
    """A plain ``SELECT``, run as it is or as a prepared statement (a ``WITH`` may hold an
    ``INSERT`` or an ``UPDATE``: counted as a write)."""
    head = sql.lstrip()[:8].upper()
    if head.startswith("PREPARE"):
        name, _, body = sql.lstrip()[8:].partition(" AS ")
        if _reads_only(body):
            _prepared_reads.add(name.split("(")[0].strip())
        return True  # the PREPARE itself writes nothing
    if head.startswith("DEALLOCA"):
        return True  # nor does forgetting prepared statements (a session new to the worker)
    if head.startswith("EXECUTE"):
        return sql.lstrip()[8:].split("(")[0].strip() in _prepared_reads
    return head.startswith("SELECT") and "FOR UPDATE" not in sql.upper()


def count_queries(get_response):
    """Answer with ``X-Query-Count`` and ``X-Commit-Count``.

    Statements: every SQL statement the request ran; SQLite's ``BEGIN`` is left out, as
    PostgreSQL's is invisible, so both databases count alike. Commits: each ``COMMIT`` of an
    atomic block, plus each writing statement run in autocommit mode (the database commits it on
    its own); a ``SELECT`` run on its own writes nothing to commit (no WAL to flush), so a request
    that reads, then writes in one statement, commits once, as one that reads and writes in a
    transaction does.
    """
    connection = connections["default"]
    tally = {"statements": 0, "commits": 0}
    commit = connection.commit

    def counting_commit():
        tally["commits"] += 1
        return commit()

    # the wrapper object lives as long as the worker; counting a commit costs one addition
    connection.commit = counting_commit

    def counter(execute, sql, params, many, context):
        if not sql.startswith("BEGIN"):
            tally["statements"] += 1
            if not context["connection"].in_atomic_block and not _reads_only(sql):
                tally["commits"] += 1
        return execute(sql, params, many, context)

    def middleware(request):
        tally["statements"] = tally["commits"] = 0
        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Query-Count"] = str(tally["statements"])
        response["X-Commit-Count"] = str(tally["commits"])
        return response

    return middleware
