switch (kind) {
  case "a": result = 1;
  case "b": result = 2; break;
  default: result = 0;
}
