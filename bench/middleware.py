from django.db import connections


def count_queries(get_response):
    """Answer with ``X-Query-Count`` (every SQL statement the request ran, ``BEGIN`` included)
    and ``X-Commit-Count`` (transactions it committed: each ``COMMIT`` of an atomic block, plus
    each statement run in autocommit mode, which the database commits on its own)."""
    connection = connections["default"]
    tally = {"statements": 0, "commits": 0}
    commit = connection.commit

    def counting_commit():
        tally["commits"] += 1
        return commit()

    # the wrapper object lives as long as the worker; counting a commit costs one addition
    connection.commit = counting_commit

    def counter(execute, sql, params, many, context):
        tally["statements"] += 1
        if not context["connection"].in_atomic_block and not sql.lstrip().upper().startswith("BEGIN"):
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
