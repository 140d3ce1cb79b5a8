# helpers: js_ge
(
    _t1 >= _t2
    if type((_t1 := _dm["count"])) is type((_t2 := _dm["limit"])) is float
    else js_ge(_t1, _t2)
)
