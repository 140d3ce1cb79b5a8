# helpers: UNDEFINED, js_add, js_arguments, js_array, js_arrow, js_declare, js_function, js_get, js_item, js_length, js_lt, js_reraise
js_declare(_dm, ("f",))


def _tf1(_this, *_targs2):
    try:
        j_arguments = js_arguments(_targs2)
        j_s = UNDEFINED
        j_s = 0.0
        j_i = 0.0
        while (
            _t4 < _t5
            if type((_t4 := j_i))
            is type(
                (
                    _t5 := (
                        float(len(j_arguments))
                        if type(j_arguments) is str
                        else js_length(j_arguments)
                    )
                )
            )
            is float
            else js_lt(_t4, _t5)
        ):
            j_s = (
                _t6 + _t7
                if type((_t6 := j_s))
                is type((_t7 := js_get(j_arguments, j_i)))
                is float
                else js_add(_t6, _t7)
            )
            j_i = j_i + 1.0
        return j_s
    except (RecursionError, NameError) as _t8:
        js_reraise(_t8)


_dm["sum"] = js_function(
    _tf1,
    "sum",
    0,
    "function sum() { var s = 0; for (var i = 0; i < arguments.length; i++) s += arguments[i]; return s; }",
)


def _tf9(_tthis10, *_targs11):
    try:
        j_first = js_item(_targs11, 0)
        j_rest = js_array(*_targs11[1:])
        return (
            _t12 + _t13
            if type(
                (
                    _t12 := (
                        float(len(j_rest)) if type(j_rest) is str else js_length(j_rest)
                    )
                )
            )
            is type((_t13 := j_first))
            is float
            else js_add(_t12, _t13)
        )
    except (RecursionError, NameError) as _t14:
        js_reraise(_t14)


_dm["f"] = js_arrow(_tf9, "f", 1, "(first, ...rest) => rest.length + first")
