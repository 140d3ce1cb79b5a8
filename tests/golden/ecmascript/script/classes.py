# helpers: UNDEFINED, js_INT_STRINGS, js_MAX_STRING, js_arrow, js_class, js_declare, js_getp, js_global, js_invoke, js_new, js_reraise, js_setp, js_str_add, js_string_too_long, js_super_invoke, js_ticks
_ticks = js_ticks(_dm)
js_declare(_dm, ("line",), ("Animal", "Dog"))


def _tf2(_this, j_name=UNDEFINED, *_targs3):
    next(_ticks)
    try:
        js_setp(_this, "name", j_name)
        return UNDEFINED
    except (RecursionError, NameError) as _t4:
        js_reraise(_t4)


def _tf5(_this, *_targs6):
    next(_ticks)
    try:
        return (
            _s9 + " makes a sound"
            if len(
                (
                    _s9 := (
                        _t7
                        if type(
                            (
                                _t7 := (
                                    _this["name"]
                                    if type(_this) is dict and "name" in _this
                                    else js_getp(_this, "name")
                                )
                            )
                        )
                        is str
                        else (
                            _t8
                            if type(_t7) is float
                            and (_t8 := js_INT_STRINGS.get(_t7)) is not None
                            else js_str_add(_t7)
                        )
                    )
                )
            )
            + 14
            <= js_MAX_STRING
            else js_string_too_long()
        )
    except (RecursionError, NameError) as _t10:
        js_reraise(_t10)


_dm["Animal"] = (
    _tcls1 := js_class(
        "Animal",
        _tf2,
        1,
        UNDEFINED,
        (
            (
                "speak",
                "method",
                js_arrow(
                    _tf5, "speak", 0, 'speak() { return this.name + " makes a sound"; }'
                ),
                False,
            ),
        ),
        'class Animal {\n  constructor(name) { this.name = name; }\n  speak() { return this.name + " makes a sound"; }\n}',
    )
)


def _tf12(_this, *_targs13):
    next(_ticks)
    try:
        return (
            _s16 + " (woof)"
            if len(
                (
                    _s16 := (
                        _t14
                        if type(
                            (_t14 := js_super_invoke(_tcls11, False, "speak", _this))
                        )
                        is str
                        else (
                            _t15
                            if type(_t14) is float
                            and (_t15 := js_INT_STRINGS.get(_t14)) is not None
                            else js_str_add(_t14)
                        )
                    )
                )
            )
            + 7
            <= js_MAX_STRING
            else js_string_too_long()
        )
    except (RecursionError, NameError) as _t17:
        js_reraise(_t17)


def _tf18(_this, *_targs19):
    next(_ticks)
    try:
        return js_invoke(js_invoke(_this, "speak"), "toUpperCase")
    except (RecursionError, NameError) as _t20:
        js_reraise(_t20)


_dm["Dog"] = (
    _tcls11 := js_class(
        "Dog",
        None,
        0,
        js_global(_dm, "Animal"),
        (
            (
                "speak",
                "method",
                js_arrow(
                    _tf12, "speak", 0, 'speak() { return super.speak() + " (woof)"; }'
                ),
                False,
            ),
            (
                "loud",
                "get",
                js_arrow(
                    _tf18,
                    "get loud",
                    0,
                    "get loud() { return this.speak().toUpperCase(); }",
                ),
                False,
            ),
        ),
        'class Dog extends Animal {\n  speak() { return super.speak() + " (woof)"; }\n  get loud() { return this.speak().toUpperCase(); }\n}',
    )
)
_dm["line"] = (
    _t21["loud"]
    if type((_t21 := js_new(js_global(_dm, "Dog"), "Dog", "Rex"))) is dict
    and "loud" in _t21
    else js_getp(_t21, "loud")
)
