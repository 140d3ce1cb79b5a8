# helpers: HOLE, JSArray, js_LENGTH_TYPES, js_add, js_getp, js_global, js_index, js_length
(
    _t7 + _t8
    if type(
        (
            _t7 := (
                _t4 + _t5
                if type((_t4 := js_global(_dm, "acc")))
                is type(
                    (
                        _t5 := (
                            _t3
                            if type(
                                (
                                    _t2 := (
                                        _t1["arr"]
                                        if type((_t1 := js_global(_dm, "x"))) is dict
                                        and "arr" in _t1
                                        else js_getp(_t1, "arr")
                                    )
                                )
                            )
                            is JSArray
                            and len(_t2) > 1
                            and ((_t3 := _t2[1]) is not HOLE)
                            else js_index(_t2, 1)
                        )
                    )
                )
                is float
                else js_add(_t4, _t5)
            )
        )
    )
    is type(
        (
            _t8 := (
                float(len(_t6))
                if type((_t6 := js_global(_dm, "tag"))) in js_LENGTH_TYPES
                else js_length(_t6)
            )
        )
    )
    is float
    else js_add(_t7, _t8)
)
