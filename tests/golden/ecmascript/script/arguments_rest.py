# helpers: HOLE, JSArray, UNDEFINED, js_ARRAY_INDEX, js_LENGTH_TYPES, js_add, js_arguments, js_array, js_arrow, js_declare, js_function, js_get, js_item, js_length, js_lt, js_reraise, js_ticks
_ticks = js_ticks(_dm)
js_declare(_dm, ("f",), ("sum",))


def _tf1(_this, *_targs2):
    next(_ticks)
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
                        if type(j_arguments) in js_LENGTH_TYPES
                        else js_length(j_arguments)
                    )
                )
            )
            is float
            else js_lt(_t4, _t5)
        ):
            next(_ticks)
            j_s = (
                _t8 + _t9
                if type((_t8 := j_s))
                is type(
                    (
                        _t9 := (
                            _t7
                            if type(j_arguments) is JSArray
                            and (_t6 := js_ARRAY_INDEX.get(j_i)) is not None
                            and (_t6 < len(j_arguments))
                            and ((_t7 := j_arguments[_t6]) is not HOLE)
                            else js_get(j_arguments, j_i)
                        )
                    )
                )
                is float
                else js_add(_t8, _t9)
            )
            j_i = j_i + 1.0
        return j_s
    except (RecursionError, NameError) as _t10:
        js_reraise(_t10)


_dm["sum"] = js_function(
    _tf1,
    "sum",
    0,
    "function sum() { var s = 0; for (var i = 0; i < arguments.length; i++) s += arguments[i]; return s; }",
)


def _tf11(_tthis12, *_targs13):
    next(_ticks)
    try:
        j_first = js_item(_targs13, 0)
        j_rest = js_array(*_targs13[1:])
        return (
            _t14 + _t15
            if type(
                (
                    _t14 := (
                        float(len(j_rest))
                        if type(j_rest) in js_LENGTH_TYPES
                        else js_length(j_rest)
                    )
                )
            )
            is type((_t15 := j_first))
            is float
            else js_add(_t14, _t15)
        )
    except (RecursionError, NameError) as _t16:
        js_reraise(_t16)


_dm["f"] = js_arrow(_tf11, "f", 1, "(first, ...rest) => rest.length + first")
