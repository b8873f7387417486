"""Statements on a request's hot path, without building or planning them again for every call.

The registration rush and the door run the same few statements thousands of times a minute.
The ORM builds each one's SQL again for every call (``as_sql``), ``Model.save()`` does its
bookkeeping for every row, and PostgreSQL, sent its parameters inline by Django (client-side
binding), parses and plans every statement anew; on a primary-key read or a one-row insert each
of these costs more CPU than running the statement (issue 17). These helpers keep the ORM as the
one author of the SQL, the converters and the instances, and only skip the repetition:

- :func:`execute`: a statement prepared once per PostgreSQL session (``PREPARE``/``EXECUTE``),
  through Django's cursor (query counting and logging see it);
- :class:`PreparedGet`: a queryset's SQL compiled once per process and database, then run for
  one primary key, its rows turned into instances by the same compiler;
- :func:`insert`: ``instance.save(force_insert=True)`` as one ``INSERT ... RETURNING``, with
  the values prepared by the model's own fields;
- :func:`insert_select`: the same ``INSERT`` as part of a data-modifying ``WITH`` (several rows,
  and the seat they need, in one statement and one round trip);
- :func:`insert_many`: ``bulk_create`` of many rows given as values (a fan-out's outbox rows),
  as multi-row ``INSERT ... RETURNING`` without an instance per row;
- :func:`execute_direct`: a writing statement run thousands of times in a row by one worker (the
  outbox writing each message down as sent), prepared once per session and run by libpq itself,
  without Django's and psycopg's cursors.

None of them changes what a query selects or a row holds; tests compare them with the ORM's own.

Prepared statements belong to one server session: not for a transaction-pooling PgBouncer. A
session that lost them anyway (``DISCARD ALL``) prepares them again outside a transaction. On
SQLite, and with ``CONN_MAX_AGE=0`` (a connection per request: preparing would only add a
statement), statements are simply executed.
"""

import datetime as dt
import functools
import time
import weakref
from collections.abc import Callable

from django.db import DatabaseError, DataError, OperationalError, connections
from django.db.models import Field, Model, QuerySet
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

# the statement names each PostgreSQL session holds, by the driver's connection object (a
# reconnect is a new object, so a new, empty set)
_held: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# EXECUTE of a statement this session does not hold (DEALLOCATE, DISCARD ALL), or whose result
# columns changed type since it was prepared (a migration while connections were kept)
_STALE = {"26000", "0A000"}


def execute(cursor, *, name: str, sql: str, params: list, types: list[str] | None = None, using="default", retry=True):
    """Run ``sql`` (``%s`` placeholders) with ``params`` on ``cursor`` (of ``using``), prepared
    once per PostgreSQL session as ``name``. ``types``: the parameters' SQL types, when the
    statement alone does not tell PostgreSQL (a parameter compared with another parameter)."""
    connection = connections[using]
    # CONN_MAX_AGE None keeps connections for ever; 0 closes them after every request
    if connection.vendor != "postgresql" or connection.settings_dict["CONN_MAX_AGE"] == 0:
        cursor.execute(sql, params)
        return
    held = _held.get(connection.connection)
    if held is None:
        # a session this process knows nothing of: whatever it holds is not known to be ours
        cursor.execute("DEALLOCATE ALL")
        held = _held[connection.connection] = set()
    if name not in held:
        _prepare(cursor, name=name, sql=sql, count=len(params), types=types)
        held.add(name)
    run = f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    try:
        cursor.execute(run, params)
    except DatabaseError as error:
        if getattr(error.__cause__, "sqlstate", None) not in _STALE or not retry:
            raise
        # The session lost the statement, or its plan no longer fits the table: start this
        # session afresh. Inside a transaction (now spoilt) the caller hears "briefly
        # unavailable, retry" (503, as for a database restart) and the session's next statement
        # starts afresh; outside one, it does so at once.
        del _held[connection.connection]
        if connection.in_atomic_block:
            raise OperationalError(f"prepared statement {name} is gone or stale; retry") from error
        execute(cursor, name=name, sql=sql, params=params, types=types, using=using, retry=False)


def _prepare(cursor, *, name: str, sql: str, count: int, types: list[str] | None) -> None:
    numbered = sql % tuple(f"${number}" for number in range(1, count + 1))
    declared = f" ({', '.join(types)})" if types else ""
    cursor.execute(f"PREPARE {name}{declared} AS {numbered}")


def execute_direct(connection, *, name: str, sql: str, params: list, retry: bool = True) -> int:
    """Run the writing statement ``sql`` (``%s`` placeholders) with ``params`` (None, bool, int,
    str, aware datetimes) on the PostgreSQL ``connection`` (Django's), prepared once per session as
    ``name`` and run by libpq itself (``PQexecPrepared``, psycopg's ``PGconn.exec_prepared``),
    waiting for its answer as any statement does. Returns how many rows it changed.

    What it leaves out is the Python around a statement, not the statement: Django's cursor
    wrapper, psycopg's cursor and its client-side binding (the values are sent apart from the
    statement, as text), psycopg's wait loop. For the outbox's ``UPDATE`` of one row that is about
    half of the worker's CPU per statement (210–240 against 370–490 µs in a fan-out on this loaded
    machine, most of what is left the wait for the answer; issue 17). Errors are Django's, as from a
    cursor; a query log (``DEBUG``, ``CaptureQueriesContext``) lists the statement."""
    raw = connection.connection
    pgconn = raw.pgconn
    held = _held.get(raw)
    if held is None:
        # a session this process knows nothing of: whatever it holds is not known to be ours
        _run(connection, pgconn.exec_(b"DEALLOCATE ALL"))
        held = _held[raw] = set()
    if name not in held:
        numbered = sql % tuple(f"${number}" for number in range(1, len(params) + 1))
        _run(connection, pgconn.prepare(name.encode(), numbered.encode()))
        held.add(name)
    started = time.monotonic()
    result = pgconn.exec_prepared(name.encode(), [_as_text(value) for value in params])
    try:
        changed = _run(connection, result)
    except DatabaseError as error:
        if getattr(error.__cause__, "sqlstate", None) not in _STALE or not retry:
            raise
        # the session lost the statement (DISCARD ALL): as for execute()
        del _held[raw]
        if connection.in_atomic_block:
            raise OperationalError(f"prepared statement {name} is gone or stale; retry") from error
        return execute_direct(connection, name=name, sql=sql, params=params, retry=False)
    if connection.queries_logged:
        # the statement itself, as a cursor logs it (its preparation is not listed)
        connection.queries_log.append(
            {"sql": f"{sql} -- prepared as {name}", "time": f"{time.monotonic() - started:.3f}"}
        )
    return changed


def _as_text(value) -> bytes | None:
    """A parameter as PostgreSQL reads it in text form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return b"t" if value else b"f"
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("a naive datetime has no meaning for a timestamptz column")
        return value.isoformat().encode()
    if isinstance(value, int):
        return str(value).encode()
    if "\x00" in value:
        # libpq ends a text value at its first NUL (psycopg refuses such a value the same way)
        raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    return value.encode()


def _run(connection, result) -> int:
    """The rows a libpq result changed; its error raised as Django's (as a cursor would)."""
    from psycopg import errors, pq  # noqa: PLC0415 -- PostgreSQL's driver, only where PostgreSQL runs

    if result.status in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
        return result.command_tuples or 0
    sqlstate = (result.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
    message = (result.error_message or b"").decode(errors="replace").strip()
    error = errors.lookup(sqlstate)(message) if sqlstate else errors.OperationalError(message)
    with connection.wrap_database_errors:
        raise error


# The primary key a prepared queryset is built with, replaced by the real one at each call.
# No table holds it (keys are positive), a literal this odd is never a query's constant, and it
# fits a 32-bit key.
PLACEHOLDER_PK = -2_046_659_113


class PreparedGet:
    """``build().get(pk=...)``, with the SQL compiled once per process and database.

    ``build`` returns the queryset to read from (a visibility selector's, with annotations);
    it must not depend on anything but the database's vendor (no user, no time of day), since
    its SQL is kept for the life of the process. Related objects are not followed: a
    ``select_related`` or ``prefetch_related`` on it is refused when it is compiled.
    """

    def __init__(self, name: str, build: Callable[[], QuerySet]):
        self.name = name
        self.build = build
        self._compiled = {}

    def _compile(self, using: str):
        queryset = self.build().filter(pk=PLACEHOLDER_PK)
        if queryset.query.select_related or queryset._prefetch_related_lookups:
            raise ValueError("a prepared read follows no relations")
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        if any(compiled[1] for _expression, compiled, _alias in compiler.select):
            # PREPARE leaves a parameter in the select list untyped: PostgreSQL would answer
            # text ('false', which is true) where the ORM gets a boolean
            raise ValueError("a prepared read selects no parameters (Value(), Case(... Value()))")
        slots = [index for index, value in enumerate(params) if value == PLACEHOLDER_PK]
        if len(slots) != 1:
            raise ValueError("the prepared queryset must use its primary key exactly once")
        klass_info = compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        attnames = [column[0].target.attname for column in compiler.select[start:end]]
        # the compiler's own converters (datetimes, JSON, booleans), looked up once
        converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        return (
            sql,
            list(params),
            slots[0],
            (compiler, converters),
            attnames,
            (start, end),
            dict(compiler.annotation_col_map),
        )

    def get(self, pk: int, *, using: str = "default") -> Model:
        """The instance with this primary key in the queryset; ``Model.DoesNotExist`` if none."""
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using)
        sql, params, slot, (compiler, converters), attnames, (start, end), annotations = compiled
        params = params.copy()
        params[slot] = pk
        with connection.cursor() as cursor:
            execute(cursor, name=self.name, sql=sql, params=params, using=using)
            rows = cursor.fetchmany(1)
        if not rows:
            raise compiler.query.model.DoesNotExist(f"No {compiler.query.model._meta.object_name} with this key.")
        row = next(iter(compiler.apply_converters(rows, converters))) if converters else rows[0]
        instance = compiler.query.model.from_db(using, attnames, row[start:end])
        for name, position in annotations.items():
            setattr(instance, name, row[position])
        return instance


@functools.cache
def _insert_sql(model: type[Model], using: str) -> tuple[str, tuple]:
    quote = connections[using].ops.quote_name
    # a generated column (Registration.search_name) is written by the database itself
    fields = tuple(field for field in model._meta.concrete_fields if not field.primary_key and not field.generated)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
        f" RETURNING {quote(model._meta.pk.column)}"
    )
    return sql, fields


def listened(model: type[Model]) -> bool:
    """Whether anyone listens to the saving of ``model``'s rows: then they are saved by ``save()``,
    not written by :func:`insert` or :func:`insert_select`, which send no signals."""
    return pre_save.has_listeners(model) or post_save.has_listeners(model)


def insert(instance: Model, *, using: str = "default") -> Model:
    """``instance.save(force_insert=True)`` as one ``INSERT ... RETURNING``.

    For models whose save() is Django's own and whose primary key the database assigns: nothing
    is skipped but the bookkeeping (a model someone listens to the saving of is saved by
    ``save()``). Values are prepared
    by each field (``pre_save``: auto_now, defaults; ``get_db_prep_save``: JSON, datetimes),
    exactly as ``save()`` does. Falls back to ``save()`` where the database has no RETURNING.
    """
    connection = connections[using]
    model = type(instance)
    if listened(model) or not connection.features.can_return_columns_from_insert:
        instance.save(force_insert=True, using=using)
        return instance
    sql, fields = _insert_sql(model, using)
    values = _prepared_values(instance, using)
    with connection.cursor() as cursor:
        execute(cursor, name=f"insert_{model._meta.db_table}", sql=sql, params=values, using=using)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = using
    return instance


def insert_select(
    instance: Model, *, source: str, computed: dict[str, tuple[str, list]] | None = None, using: str = "default"
) -> tuple[str, list]:
    """``instance``'s ``INSERT`` as ``INSERT ... SELECT ... FROM source RETURNING pk``, for a
    data-modifying ``WITH`` that writes several rows in one statement (a row that is written only
    when ``source``, an earlier part of the statement, returned one). Returns the SQL and its
    parameters, prepared by the model's own fields as :func:`insert` prepares them; a column whose
    attribute name is in ``computed`` takes that SQL expression (over ``source``'s columns) and its
    parameters instead. Sends no signals: not for a model that is ``listened`` to. A value that is
    None is written ``NULL`` in the SQL (fewer parameters:
    psycopg parses a statement of more than 50 anew at every call), so the SQL differs with which
    columns are None; it is built once for each. PostgreSQL only."""
    connection = connections[using]
    computed = computed or {}
    _sql, fields = _insert_sql(type(instance), using)
    params, nulls = [], []
    for field, attname, plain, as_is in _preparation(type(instance), using):
        if attname in computed:
            params.extend(computed[attname][1])
            nulls.append(False)
            continue
        value = _prepared_value(instance, connection, field, attname, plain, as_is)
        nulls.append(value is None)
        if value is not None:
            params.append(value)
    expressions = tuple((attname, expression) for attname, (expression, _params) in computed.items())
    return _insert_select_sql(type(instance), using, source, expressions, tuple(nulls)), params


def _prepared_value(instance, connection, field, attname, plain, as_is):
    """``field.get_db_prep_save(field.pre_save(instance, add=True), connection)``, without the
    calls where they hand the value back as it is (None, a string to a text column, an int to an
    integer one: as insert_many writes them): a third of the CPU of a registration's two rows."""
    value = getattr(instance, attname) if plain else field.pre_save(instance, add=True)
    if value is None or type(value) is as_is:
        return value
    return field.get_db_prep_save(value, connection)


def _prepared_values(instance: Model, using: str) -> list:
    connection = connections[using]
    return [_prepared_value(instance, connection, *column) for column in _preparation(type(instance), using)]


@functools.cache
def _preparation(model: type[Model], using: str) -> list[tuple]:
    """Each column's field, attribute name, whether its ``pre_save`` is Django's plain read of the
    attribute, and the type it writes unchanged (``_written_as_is``)."""
    _sql, fields = _insert_sql(model, using)
    return [(field, field.attname, type(field).pre_save is Field.pre_save, _written_as_is(field)) for field in fields]


@functools.lru_cache(maxsize=64)
def _insert_select_sql(model: type[Model], using: str, source: str, computed: tuple, nulls: tuple[bool, ...]) -> str:
    connection = connections[using]
    quote = connection.ops.quote_name
    computed = dict(computed)
    _sql, fields = _insert_sql(model, using)
    selected = []
    for field, null in zip(fields, nulls, strict=True):
        if field.attname in computed:
            selected.append(computed[field.attname])
            continue
        # typed as the column is: PostgreSQL types a prepared statement's select list on its own;
        # varchar(n) as text, so that a value too long fails on the column instead of being cut
        kind = field.cast_db_type(connection)
        kind = "text" if kind.startswith(("varchar", "char")) else kind
        selected.append(f"CAST(NULL AS {kind})" if null else f"CAST(%s AS {kind})")
    columns = ", ".join(quote(field.column) for field in fields)
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {', '.join(selected)}"
        f" FROM {source} RETURNING {quote(model._meta.pk.column)}"
    )


@functools.lru_cache(maxsize=512)
def _insert_many_sql(model: type[Model], using: str, rows: int, constant: tuple[bool, ...]) -> str:
    """INSERT of ``rows`` rows; a column marked in ``constant`` has one value for them all, given
    once (the parameters before the rows'), the others one a row."""
    connection = connections[using]
    sql, fields = _insert_sql(model, using)
    head, returning = sql.partition(" VALUES ")[0], sql.rpartition(" RETURNING ")[2]
    varying = [field for field, same in zip(fields, constant, strict=True) if not same]
    row = f"({', '.join(['%s'] * len(varying))})"
    values = ", ".join([row] * rows)
    if len(varying) == len(fields):
        return f"{head} VALUES {values} RETURNING {returning}"
    if connection.vendor == "postgresql":
        # typed as the columns are (a literal alone would be text); varchar(n) as text, so that a
        # value too long fails as it would in VALUES instead of being cut by the cast
        def typed(field, expression):
            kind = field.cast_db_type(connection)
            return f"CAST({expression} AS {'text' if kind.startswith(('varchar', 'char')) else kind})"

        names = {field.attname: f"c{index}" for index, field in enumerate(varying)}
        selected = ", ".join(
            typed(field, "%s" if same else f"v.{names[field.attname]}")
            for field, same in zip(fields, constant, strict=True)
        )
        return (
            f"{head} SELECT {selected} FROM (VALUES {values}) AS v ({', '.join(names.values())}) RETURNING {returning}"
        )
    # SQLite names the columns of VALUES column1, column2, ...
    names = {field.attname: f"column{index + 1}" for index, field in enumerate(varying)}
    selected = ", ".join("%s" if same else names[field.attname] for field, same in zip(fields, constant, strict=True))
    return f"{head} SELECT {selected} FROM (VALUES {values}) RETURNING {returning}"


# values whose equality is their value's: a column holding the same one in every row is given once
_SHAREABLE = (str, int, bool, float, type(None), dt.datetime, dt.date)

_STRING_FIELDS = frozenset({"CharField", "TextField", "EmailField", "SlugField", "URLField"})
_INTEGER_FIELDS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


def _written_as_is(field) -> type | None:
    """The Python type a field writes unchanged (a string to a text column, an int to an integer
    or foreign key one), else None."""
    kind = (field.target_field if field.is_relation else field).get_internal_type()
    return str if kind in _STRING_FIELDS else int if kind in _INTEGER_FIELDS else None


def insert_many(model: type[Model], rows: list[dict], *, using: str = "default") -> list:
    """Many rows of ``model`` (each a dict of attribute names and values; the others take their
    field's default) as multi-row ``INSERT ... RETURNING``; their primary keys, in no set order.

    What ``bulk_create`` writes, without building a model instance per row or preparing every
    value through its field: None, a string for a text field and an int for an integer or a
    foreign key go in as they are (what their field makes of them), anything else through
    ``get_db_prep_save`` (datetimes, JSON), once per distinct hashable value of a column. Defaults
    and ``auto_now`` times are taken once for all rows. No signals are sent, as by ``bulk_create``.
    """
    connection = connections[using]
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError("insert_many needs INSERT ... RETURNING")
    _sql, fields = _insert_sql(model, using)
    now = timezone.now()
    defaults = {}
    for field in fields:
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        defaults[field.attname] = field.get_db_prep_save(now if auto else field.get_default(), connection)
    as_is = [_written_as_is(field) for field in fields]
    # a value that repeats (a fan-out's event start) is prepared once
    prepared_once: dict[tuple, object] = {}

    def prepared(index, field, value):
        if value is None or type(value) is as_is[index]:
            return value
        try:
            return prepared_once[index, value]
        except KeyError:
            prepared_once[index, value] = field.get_db_prep_save(value, connection)
            return prepared_once[index, value]
        except TypeError:  # not hashable (JSON)
            return field.get_db_prep_save(value, connection)

    columns = [(index, field, field.attname, defaults[field.attname]) for index, field in enumerate(fields)]
    values = [
        [
            prepared(index, field, row[attname]) if attname in row else default
            for index, field, attname, default in columns
        ]
        for row in rows
    ]
    # SQLite takes so many parameters a statement; PostgreSQL rows are sent 500 at a time
    limit = connection.features.max_query_params if connection.vendor == "sqlite" else None
    keys = []
    with connection.cursor() as cursor:
        start = 0
        while start < len(values):
            chunk = values[start : start + 500]
            while True:
                # a value every row of the chunk shares is given once (a fan-out's rows differ
                # in a third of their columns): fewer parameters, more rows a statement
                first = chunk[0]
                constant = tuple(
                    len(chunk) > 1
                    and type(first[index]) in _SHAREABLE
                    and all(row[index] == first[index] for row in chunk)
                    for index in range(len(fields))
                )
                shared, varying = constant.count(True), constant.count(False)
                if limit is None or len(chunk) * varying + shared <= limit:
                    break
                # a shorter chunk shares at least as many values
                chunk = chunk[: max(1, (limit - shared) // max(1, varying))]
            params = [first[index] for index, same in enumerate(constant) if same]
            params += [value for row in chunk for value, same in zip(row, constant, strict=True) if not same]
            cursor.execute(_insert_many_sql(model, using, len(chunk), constant), params)
            keys.extend(key for (key,) in cursor.fetchall())
            start += len(chunk)
    return keys
