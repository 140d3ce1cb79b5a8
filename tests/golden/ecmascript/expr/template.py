# helpers: js_add, js_tostr
(
    "id="
    + js_tostr(_dm["id"])
    + ", n="
    + js_tostr(_t1 + 1.0 if type((_t1 := _dm["n"])) is float else js_add(_t1, 1.0))
)
