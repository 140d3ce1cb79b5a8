try { risky(); } catch (e) { log = e.name; } finally { done = true; }
throw new Error("boom");
