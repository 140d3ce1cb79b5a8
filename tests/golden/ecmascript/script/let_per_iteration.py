# helpers: js_array, js_declare, js_function, js_inc, js_invoke, js_lt, js_strict_eq
js_declare(_dm, ("handlers",))
_dm["handlers"] = js_array()
j_i = 0.0
_t6 = True
while True:
    if _t6:
        _t6 = False
    else:
        j_i = js_inc(j_i)
    if not (j_i < 3.0 if type(j_i) is float else js_lt(j_i, 3.0)):
        break

    def _tbody2(j_i_1):
        if j_i_1 == 1.0 if type(j_i_1) is float else js_strict_eq(j_i_1, 1.0):
            return ("continue:1", j_i_1)

        def _tf3(_this, *_targs4):
            return j_i_1

        js_invoke(
            _dm["handlers"],
            "push",
            js_function(_tf3, "", 0, "function () { return i; }"),
        )
        return (None, j_i_1)

    _t5, j_i = _tbody2(j_i)
    if _t5 == "continue:1":
        continue
