fn main() {
    let _ = samp::metadata!(name = "Viewer", homepgae = "https://example.org");
}
