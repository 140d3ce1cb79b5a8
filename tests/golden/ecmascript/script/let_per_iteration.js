var handlers = [];
for (let i = 0; i < 3; i++) {
  if (i === 1) continue;
  handlers.push(function () { return i; });
}
