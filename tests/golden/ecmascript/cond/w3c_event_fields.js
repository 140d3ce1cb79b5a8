'name' in _event && 'type' in _event && 'sendid' in _event
