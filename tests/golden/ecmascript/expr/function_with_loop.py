# helpers: UNDEFINED, js_array, js_compiled, js_function, js_invoke, js_lt, js_reraise, js_ticks
js_invoke(
    js_array(1.0, 2.0, 3.0),
    "map",
    js_function(
        js_compiled(
            "def _tfactory(_dm):\n    _ticks = js_ticks(_dm)\n\n    def _tf(_this, j_n_1=UNDEFINED, *_targs1):\n        next(_ticks)\n        try:\n            j_t_1 = 0.0\n            j_i_1 = 0.0\n            while j_i_1 < j_n_1 if type(j_n_1) is float else js_lt(j_i_1, j_n_1):\n                next(_ticks)\n                j_t_1 = j_t_1 + j_i_1\n                j_i_1 = j_i_1 + 1.0\n            return j_t_1\n        except (RecursionError, NameError) as _t3:\n            js_reraise(_t3)\n    return _tf",
            _dm,
        ),
        "",
        1,
        "function (n) { var t = 0; for (var i = 0; i < n; i++) t += i; return t; }",
    ),
)
