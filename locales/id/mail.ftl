mail-service = Layanan foto permohonan Kartu My Number
mail-greeting = Yth. { $name },
mail-greeting_anonymous = Yth. pemohon,
mail-footer =
    --
    { mail-service }
    E-mail ini dikirim dari alamat yang tidak menerima balasan.
    Kami tidak pernah menanyakan My Number (nomor individu) atau PIN Anda lewat e-mail.
mail-number_withheld = [nomor disembunyikan]
mail-date = { $day }-{ $month }-{ $year }
mail-link_subject = Permohonan Kartu My Number: tautan sekali pakai Anda
mail-link_body =
    Kami sudah mendaftarkan alamat e-mail Anda untuk permohonan Kartu My Number.
    Buka tautan di bawah untuk mengunggah foto dan mengisi data permohonan.

    { $url }

    ・Tautan hanya bisa dipakai sekali.
    ・Berlaku sampai { $until }.
    ・Jika sudah kedaluwarsa, mulai lagi dengan mengisi alamat e-mail Anda.

    Jika Anda tidak meminta e-mail ini, abaikan saja: tidak ada yang terjadi selama tautan tidak dibuka.
mail-link_note = [Bahasa Indonesia] Buka tautan di atas untuk melanjutkan permohonan. Hanya sekali, sampai { $until }. Jika Anda tidak memintanya, abaikan e-mail ini.
mail-completion_subject = Permohonan Kartu My Number diterima
mail-completion_intro = Kami sudah menerima permohonan Kartu My Number Anda.
mail-completion_form_id = ID formulir permohonan (4 digit terakhir): { $id }
mail-completion_status = Status: { $summary }
mail-completion_card_until = Kartu berlaku sampai (perkiraan): { $date }
mail-completion_certificates = Sertifikat elektronik: { $note }
mail-completion_outro = Pemberitahuan selanjutnya akan datang dari kantor kota, distrik, atau desa tempat tinggal Anda.
mail-completion_note = [Bahasa Indonesia] Kami sudah menerima permohonan Kartu My Number Anda; rinciannya ada di atas.
mail-retake_subject = Permohonan Kartu My Number: mohon kirim foto baru
mail-retake_intro = Kami sudah memeriksa foto yang Anda kirim. Mohon maaf, kami memerlukan foto baru karena alasan berikut:
mail-retake_reason = ・{ $rule }: { $text }
mail-retake_comment = Catatan dari petugas:
mail-retake_link = Unggah foto baru di sini; semua isian lain Anda tetap tersimpan:
mail-retake_same_way = Kirim foto baru dengan cara yang sama seperti saat Anda mengajukan.
mail-retake_rules = Foto harus diambil dalam 6 bulan terakhir, menghadap depan, tanpa topi, dengan latar polos.
mail-retake_note = [Bahasa Indonesia] Mohon kirim foto baru untuk permohonan Anda; alasannya (dengan kode aturan) ada di atas.
mail-accepted_subject = Permohonan Kartu My Number: foto diterima
mail-accepted_intro = Kami sudah memeriksa foto yang Anda kirim dan menerimanya untuk permohonan Anda.
mail-accepted_form_id = ID formulir permohonan (4 digit terakhir): { $id }
mail-accepted_no_more = Anda tidak perlu mengirim foto lain.
mail-accepted_note = [Bahasa Indonesia] Foto Anda diterima; tidak perlu mengirim foto lain.
