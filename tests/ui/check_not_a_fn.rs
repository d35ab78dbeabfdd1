#[prodready::check(item = "security.no-root-user")]
struct NotRoot;

fn main() {}
