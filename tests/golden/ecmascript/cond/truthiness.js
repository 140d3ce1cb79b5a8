!Var1 || Var2 == null || Var3 === undefined
