_event.raw.search(/Var1=2/) !== -1
