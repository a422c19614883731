mod sandbox;

fn main() {}
