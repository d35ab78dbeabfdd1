fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Security" {
                group "Container Security" {
                    "No root user",
                    "Image signed",
                    "No-root user!",
                }
            }
        }
    };
}
