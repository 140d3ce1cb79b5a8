Var1
