fn main() -> std::process::ExitCode {
    manifest_tui::cli::main()
}
