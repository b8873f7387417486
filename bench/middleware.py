from django.db import connection


def count_queries(get_response):
    """Answer with ``X-Query-Count``: every SQL statement the request ran (BEGIN included)."""

    def middleware(request):
        statements = []

        def counter(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Query-Count"] = str(len(statements))
        return response

    return middleware
