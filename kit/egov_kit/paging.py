"""One way to page a list, in every service: `?limit=&offset=` (default 20, at most 200) →
`{items, total, limit, offset}` (../shared/spec/api.md, "Lists").

    class NoticeQuery(PageQuery):
        status = fields.String(validate=validate.OneOf(STATUSES))

    NoticeList = page_schema(NoticeOut)

    @blp.arguments(NoticeQuery, location="query")
    @blp.response(200, NoticeList)
    def get(self, query):
        items, total = service.notices(..., **page_args(query))
        return page(items, total, query)
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

DEFAULT_LIMIT = 20
MAX_LIMIT = 200
# Beyond any list this suite keeps; also keeps the number within what a database accepts.
MAX_OFFSET = 1_000_000_000


class PageQuery(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, strict=False,
                          validate=validate.Range(min=1, max=MAX_LIMIT, error="invalid_page"),
                          metadata={"description": f"how many items (1–{MAX_LIMIT}, default {DEFAULT_LIMIT})"})
    offset = fields.Integer(load_default=0, strict=False,
                           validate=validate.Range(min=0, max=MAX_OFFSET, error="invalid_page"),
                           metadata={"description": "how many items to skip"})


def page_args(query: dict) -> dict:
    """The paging part of a parsed query, for a repository call."""
    return {"limit": query["limit"], "offset": query["offset"]}


def page(items: list, total: int, query: dict) -> dict:
    """The one list shape."""
    return {"items": list(items), "total": total, "limit": query["limit"], "offset": query["offset"]}


_schemas: dict[tuple, type[Schema]] = {}


def page_schema(item: type[Schema] | Schema, name: str | None = None) -> type[Schema]:
    """The list schema of `item`s, made once per item schema (OpenAPI names it `<Item>Page`)."""
    item_class = item if isinstance(item, type) else type(item)
    key = (item_class, name)
    found = _schemas.get(key)
    if found is None:
        found = Schema.from_dict({
            "items": fields.List(fields.Nested(item_class), required=True),
            "total": fields.Integer(required=True, metadata={"description": "items in the whole list"}),
            "limit": fields.Integer(required=True),
            "offset": fields.Integer(required=True),
        }, name=name or f"{item_class.__name__.removesuffix('Out').removesuffix('Schema')}Page")
        _schemas[key] = found
    return found
