# helpers: UNDEFINED, js_declare, js_function, js_getp, js_global, js_global_this, js_invoke, js_mul, js_new, js_reraise, js_setp, js_ticks
_ticks = js_ticks(_dm)
js_declare(_dm, ("p",), ("Point",))


def _tf1(_this, j_x=UNDEFINED, j_y=UNDEFINED, *_targs2):
    next(_ticks)
    try:
        _this = js_global_this(_dm) if _this is None or _this is UNDEFINED else _this
        js_setp(_this, "x", j_x)
        js_setp(_this, "y", j_y)
        return UNDEFINED
    except (RecursionError, NameError) as _t3:
        js_reraise(_t3)


_dm["Point"] = js_function(
    _tf1, "Point", 2, "function Point(x, y) { this.x = x; this.y = y; }"
)


def _tf4(_this, *_targs5):
    next(_ticks)
    try:
        _this = js_global_this(_dm) if _this is None or _this is UNDEFINED else _this
        return js_invoke(
            js_global(_dm, "Math"),
            "sqrt",
            (
                _t6 * _t7
                if type(
                    (
                        _t6 := (
                            _this["x"]
                            if type(_this) is dict and "x" in _this
                            else js_getp(_this, "x")
                        )
                    )
                )
                is type(
                    (
                        _t7 := (
                            _this["x"]
                            if type(_this) is dict and "x" in _this
                            else js_getp(_this, "x")
                        )
                    )
                )
                is float
                else js_mul(_t6, _t7)
            )
            + (
                _t8 * _t9
                if type(
                    (
                        _t8 := (
                            _this["y"]
                            if type(_this) is dict and "y" in _this
                            else js_getp(_this, "y")
                        )
                    )
                )
                is type(
                    (
                        _t9 := (
                            _this["y"]
                            if type(_this) is dict and "y" in _this
                            else js_getp(_this, "y")
                        )
                    )
                )
                is float
                else js_mul(_t8, _t9)
            ),
        )
    except (RecursionError, NameError) as _t10:
        js_reraise(_t10)


js_setp(
    (
        _t11["prototype"]
        if type((_t11 := js_global(_dm, "Point"))) is dict and "prototype" in _t11
        else js_getp(_t11, "prototype")
    ),
    "norm",
    js_function(
        _tf4,
        "norm",
        0,
        "function () { return Math.sqrt(this.x * this.x + this.y * this.y); }",
    ),
)
_dm["p"] = js_new(js_global(_dm, "Point"), "Point", 3.0, 4.0)
