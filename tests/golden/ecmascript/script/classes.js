class Animal {
  constructor(name) { this.name = name; }
  speak() { return this.name + " makes a sound"; }
}
class Dog extends Animal {
  speak() { return super.speak() + " (woof)"; }
  get loud() { return this.speak().toUpperCase(); }
}
var line = new Dog("Rex").loud;
