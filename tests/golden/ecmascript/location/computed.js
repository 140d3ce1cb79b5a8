table[key][0]
