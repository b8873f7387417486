"""Reads and writes on a request's hot path without rebuilding their SQL on every call.

The registration rush and the door run the same few statements thousands of times a minute.
The ORM builds each one's SQL again for every call (``as_sql``), and ``Model.save()`` does its
bookkeeping for every row; on a primary-key read or a one-row insert that costs more CPU than
the database spends on the statement (issue 17). These helpers keep the ORM as the one author
of the SQL, the converters and the instances, and only skip the repetition:

- :class:`PreparedGet`: a queryset's SQL compiled once per process and database, then run for
  one primary key, its rows turned into instances by the same compiler;
- :func:`insert`: ``instance.save(force_insert=True)`` as one ``INSERT ... RETURNING``, with
  the values prepared by the model's own fields.

Neither changes what a query selects or a row holds; tests compare them with the ORM's own.
"""

import functools
from collections.abc import Callable

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.signals import post_save, pre_save

# The primary key a prepared queryset is built with, replaced by the real one at each call.
# No table holds it (keys are positive), and a literal this odd is never a query's constant.
PLACEHOLDER_PK = -7_301_046_659_113


class PreparedGet:
    """``build().get(pk=...)``, with the SQL compiled once per process and database.

    ``build`` returns the queryset to read from (a visibility selector's, with annotations);
    it must not depend on anything but the database's vendor (no user, no time of day), since
    its SQL is kept for the life of the process. Related objects are not followed: a
    ``select_related`` or ``prefetch_related`` on it is refused when it is compiled.
    """

    def __init__(self, build: Callable[[], QuerySet]):
        self.build = build
        self._compiled = {}

    def _compile(self, using: str):
        queryset = self.build().filter(pk=PLACEHOLDER_PK)
        if queryset.query.select_related or queryset._prefetch_related_lookups:
            raise ValueError("a prepared read follows no relations")
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
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
            cursor.execute(sql, params)
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
    fields = tuple(field for field in model._meta.concrete_fields if not field.primary_key)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
        f" RETURNING {quote(model._meta.pk.column)}"
    )
    return sql, fields


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
    listened = pre_save.has_listeners(model) or post_save.has_listeners(model)
    if listened or not connection.features.can_return_columns_from_insert:
        instance.save(force_insert=True, using=using)
        return instance
    sql, fields = _insert_sql(model, using)
    values = [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = using
    return instance
