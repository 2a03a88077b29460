"""`/v1/prices` and `/v1/products`: the catalogue, read only."""

from __future__ import annotations

from sandbox.stripe.api import LIST_PARAMS, Call, list_query, paged_list
from sandbox.stripe.errors import invalid
from sandbox.stripe.objects import Json
from sandbox.stripe.timeline import Timeline


def list_prices(call: Call) -> Json:
    params, prices = call.params, call.state.catalog.prices
    params.allow(*LIST_PARAMS, "active", "currency", "product", "type", "recurring",
                 "lookup_keys", "created")  # fmt: skip
    active, currency = params.boolean("active"), params.text("currency")
    product, kind = params.text("product"), params.choice("type", ("one_time", "recurring"))
    lookup_keys = params.strings("lookup_keys")
    recurring = params.nested("recurring")
    wanted: dict[str, str | None] = {}
    if recurring is not None:
        recurring.allow("interval", "meter", "usage_type")
        wanted = {key: recurring.text(key) for key in ("interval", "meter", "usage_type")}

    def keep(price_id: str) -> bool:
        price = prices[price_id]
        return (
            (active is None or price["active"] == active)
            and (currency is None or price["currency"] == currency.lower())
            and (product is None or price["product"] == product)
            and (kind is None or price["type"] == kind)
            and (not lookup_keys or price["lookup_key"] in lookup_keys)
            and _recurring_matches(price, wanted)
        )

    return paged_list(
        list_query(params), _timeline(prices), prices, "/v1/prices",
        created=params.range("created"), keep=keep,
    )  # fmt: skip


def _recurring_matches(price: Json, wanted: dict[str, str | None]) -> bool:
    if not wanted:
        return True
    recurring = price["recurring"]
    if recurring is None:
        return False
    return all(value is None or recurring[key] == value for key, value in wanted.items())


def retrieve_price(call: Call) -> Json:
    call.params.allow()
    return call.state.require(call.state.catalog.prices, call.match("price"))


def list_products(call: Call) -> Json:
    params, products = call.params, call.state.catalog.products
    params.allow(*LIST_PARAMS, "active", "ids", "created", "shippable", "url")
    active, ids = params.boolean("active"), params.strings("ids")
    query = list_query(params)
    if ids and (query.after or query.before):
        raise invalid("You cannot combine `ids` with `starting_after` or `ending_before`.", "ids")

    def keep(product_id: str) -> bool:
        product = products[product_id]
        return (active is None or product["active"] == active) and (not ids or product_id in ids)

    return paged_list(
        query, _timeline(products), products, "/v1/products",
        created=params.range("created"), keep=keep,
    )  # fmt: skip


def retrieve_product(call: Call) -> Json:
    call.params.allow()
    return call.state.require(call.state.catalog.products, call.match("product"))


def _timeline(table: dict[str, Json]) -> Timeline:
    return Timeline([(obj["created"], object_id) for object_id, obj in table.items()])
