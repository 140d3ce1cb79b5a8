typeof undeclared === 'undefined' && 'name' in _event
