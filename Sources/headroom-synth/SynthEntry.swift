@main
struct Synth {
    static func main() {}
}
