from django.db import connections


def count_queries(get_response):
    """Answer with ``X-Query-Count`` and ``X-Commit-Count``.

    Statements: every SQL statement the request ran; SQLite's ``BEGIN`` is left out, as
    PostgreSQL's is invisible, so both databases count alike. Commits: each ``COMMIT`` of an
    atomic block, plus each statement run in autocommit mode (the database commits it on its own).
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
            if not context["connection"].in_atomic_block:
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
