var utilLoaded = true;
function describe(x) { return 'value <' + x + '> & more'; }
