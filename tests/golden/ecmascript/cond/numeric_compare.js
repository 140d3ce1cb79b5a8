count >= limit
