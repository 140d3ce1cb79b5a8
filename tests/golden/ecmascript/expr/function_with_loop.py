# helpers: UNDEFINED, js_array, js_function, js_invoke, js_lt, js_reraise, js_ticks
def _tfactory4(_dm):
    _ticks = js_ticks(_dm)

    def _tf(_this, j_n_1=UNDEFINED, *_targs1):
        next(_ticks)
        try:
            j_t_1 = 0.0
            j_i_1 = 0.0
            while j_i_1 < j_n_1 if type(j_n_1) is float else js_lt(j_i_1, j_n_1):
                next(_ticks)
                j_t_1 = j_t_1 + j_i_1
                j_i_1 = j_i_1 + 1.0
            return j_t_1
        except (RecursionError, NameError) as _t3:
            js_reraise(_t3)

    return _tf


js_invoke(
    js_array(1.0, 2.0, 3.0),
    "map",
    js_function(
        _tfactory4(_dm),
        "",
        1,
        "function (n) { var t = 0; for (var i = 0; i < n; i++) t += i; return t; }",
    ),
)
