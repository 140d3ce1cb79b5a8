# helpers: js_global
_t1 = js_global(_dm, "kind")
_t2 = -1
if _t2 < 0 and (type(_t1) is str and _t1 == "a"):
    _t2 = 0
if _t2 < 0 and (type(_t1) is str and _t1 == "b"):
    _t2 = 1
if _t2 < 0:
    _t2 = 2
while True:
    if _t2 <= 0:
        _dm["result"] = 1.0
    if _t2 <= 1:
        _dm["result"] = 2.0
        break
    if _t2 <= 2:
        _dm["result"] = 0.0
    break
