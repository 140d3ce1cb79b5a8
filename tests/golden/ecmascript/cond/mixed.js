_event.data.n % 3 == 0 && count < limit
