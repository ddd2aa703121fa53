# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = Foto Kartu My Number
kiosk-language = Bahasa
kiosk-attract = Arahkan kode QR pada formulir permohonan ke kamera
kiosk-form = Formulir terbaca. Silakan menghadap kamera
kiosk-accept = Foto ini akan dikirim
kiosk-review = Petugas akan memeriksa foto ini
kiosk-reject = Foto ini tidak memenuhi aturan. Mari ambil lagi
kiosk-hold = Tetap diam
kiosk-choose = Kesempatan foto ulang sudah habis. Silakan pilih
kiosk-submit = Kirim foto terbaik (petugas akan memeriksanya)
kiosk-cancel = Batalkan dan minta uang kembali
