fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Security" {
                group "Container Security" {
                    group "Images" {
                        "Image signed",
                    }
                }
            }
        }
    };
}
