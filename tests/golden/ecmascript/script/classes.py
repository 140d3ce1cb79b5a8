# helpers: UNDEFINED, js_INT_STRINGS, js_arrow, js_class, js_declare, js_getp, js_global, js_invoke, js_new, js_reraise, js_setp, js_str_add, js_super_invoke
js_declare(_dm, ("line",), ("Animal", "Dog"))


def _tf2(_this, j_name=UNDEFINED, *_targs3):
    try:
        js_setp(_this, "name", j_name)
        return UNDEFINED
    except (RecursionError, NameError) as _t4:
        js_reraise(_t4)


def _tf5(_this, *_targs6):
    try:
        return (
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
                if type(_t7) is float and (_t8 := js_INT_STRINGS.get(_t7)) is not None
                else js_str_add(_t7)
            )
        ) + " makes a sound"
    except (RecursionError, NameError) as _t9:
        js_reraise(_t9)


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


def _tf11(_this, *_targs12):
    try:
        return (
            _t13
            if type((_t13 := js_super_invoke(_tcls10, False, "speak", _this))) is str
            else (
                _t14
                if type(_t13) is float
                and (_t14 := js_INT_STRINGS.get(_t13)) is not None
                else js_str_add(_t13)
            )
        ) + " (woof)"
    except (RecursionError, NameError) as _t15:
        js_reraise(_t15)


def _tf16(_this, *_targs17):
    try:
        return js_invoke(js_invoke(_this, "speak"), "toUpperCase")
    except (RecursionError, NameError) as _t18:
        js_reraise(_t18)


_dm["Dog"] = (
    _tcls10 := js_class(
        "Dog",
        None,
        0,
        js_global(_dm, "Animal"),
        (
            (
                "speak",
                "method",
                js_arrow(
                    _tf11, "speak", 0, 'speak() { return super.speak() + " (woof)"; }'
                ),
                False,
            ),
            (
                "loud",
                "get",
                js_arrow(
                    _tf16,
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
    _t19["loud"]
    if type((_t19 := js_new(js_global(_dm, "Dog"), "Dog", "Rex"))) is dict
    and "loud" in _t19
    else js_getp(_t19, "loud")
)
