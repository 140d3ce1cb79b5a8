# helpers: 
_dm["Var1"] = value
