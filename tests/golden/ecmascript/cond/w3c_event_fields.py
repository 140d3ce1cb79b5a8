# helpers: js_in
(js_in("name", _dm["_event"]) and js_in("type", _dm["_event"])) and js_in(
    "sendid", _dm["_event"]
)
