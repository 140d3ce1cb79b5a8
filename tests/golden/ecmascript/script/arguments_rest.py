# helpers: HOLE, JSArray, UNDEFINED, js_ARRAY_INDEX, js_LENGTH_TYPES, js_add, js_arguments, js_array, js_arrow, js_declare, js_function, js_get, js_item, js_length, js_lt, js_reraise, js_ticks
_ticks = js_ticks(_dm)
js_declare(_dm, ("f",), ("sum",))


def _tf2(_this, *_targs3):
    next(_ticks)
    try:
        j_arguments = js_arguments(_targs3, _tself1)
        j_s = UNDEFINED
        j_s = 0.0
        j_i = 0.0
        while (
            _t5 < _t6
            if type((_t5 := j_i))
            is type(
                (
                    _t6 := (
                        float(len(j_arguments))
                        if type(j_arguments) in js_LENGTH_TYPES
                        else js_length(j_arguments)
                    )
                )
            )
            is float
            else js_lt(_t5, _t6)
        ):
            next(_ticks)
            j_s = (
                _t9 + _t10
                if type((_t9 := j_s))
                is type(
                    (
                        _t10 := (
                            _t8
                            if type(j_arguments) is JSArray
                            and (_t7 := js_ARRAY_INDEX.get(j_i)) is not None
                            and (_t7 < len(j_arguments))
                            and ((_t8 := j_arguments[_t7]) is not HOLE)
                            else js_get(j_arguments, j_i)
                        )
                    )
                )
                is float
                else js_add(_t9, _t10)
            )
            j_i = j_i + 1.0
        return j_s
    except (RecursionError, NameError) as _t11:
        js_reraise(_t11)


_dm["sum"] = (
    _tself1 := js_function(
        _tf2,
        "sum",
        0,
        "function sum() { var s = 0; for (var i = 0; i < arguments.length; i++) s += arguments[i]; return s; }",
    )
)


def _tf12(_tthis13, *_targs14):
    next(_ticks)
    try:
        j_first = js_item(_targs14, 0)
        j_rest = js_array(*_targs14[1:])
        return (
            _t15 + _t16
            if type(
                (
                    _t15 := (
                        float(len(j_rest))
                        if type(j_rest) in js_LENGTH_TYPES
                        else js_length(j_rest)
                    )
                )
            )
            is type((_t16 := j_first))
            is float
            else js_add(_t15, _t16)
        )
    except (RecursionError, NameError) as _t17:
        js_reraise(_t17)


_dm["f"] = js_arrow(_tf12, "f", 1, "(first, ...rest) => rest.length + first")
