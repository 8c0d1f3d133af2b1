fn main() {
    eprintln!("kms-sim: the standalone binary is not built yet; the console embeds the library");
    std::process::exit(1);
}
