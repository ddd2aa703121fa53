mail-service = Servicio de fotos para la solicitud de la Tarjeta My Number
mail-greeting = Estimado/a { $name }:
mail-greeting_anonymous = Estimado/a solicitante:
mail-footer =
    --
    { mail-service }
    Este correo se envió desde una dirección que no recibe respuestas.
    Nunca le pediremos por correo su My Number (número individual) ni sus PIN.
mail-number_withheld = [número oculto]
mail-date = { $day }/{ $month }/{ $year }
mail-link_subject = Solicitud de la Tarjeta My Number: su enlace de un solo uso
mail-link_body =
    Hemos registrado su correo para una solicitud de la Tarjeta My Number.
    Abra el enlace de abajo para subir su foto y completar los datos de la solicitud.

    { $url }

    ・El enlace funciona una sola vez.
    ・Caduca el { $until }.
    ・Si ha caducado, empiece de nuevo escribiendo su correo.

    Si no pidió este correo, puede ignorarlo: no pasa nada mientras no se abra el enlace.
mail-link_note = [Español] Abra el enlace de arriba para continuar su solicitud. Funciona una vez, hasta el { $until }. Si no lo pidió, ignore este correo.
mail-completion_subject = Solicitud de la Tarjeta My Number recibida
mail-completion_intro = Hemos recibido su solicitud de la Tarjeta My Number.
mail-completion_form_id = ID del formulario (últimos 4 dígitos): { $id }
mail-completion_status = Estado: { $summary }
mail-completion_card_until = Tarjeta válida hasta (previsto): { $date }
mail-completion_certificates = Certificados electrónicos: { $note }
mail-completion_outro = Los próximos avisos le llegarán del ayuntamiento de su municipio.
mail-completion_note = [Español] Hemos recibido su solicitud de la Tarjeta My Number; los detalles están arriba.
mail-retake_subject = Solicitud de la Tarjeta My Number: envíe una nueva foto
mail-retake_intro = Hemos revisado la foto que envió. Lamentablemente necesitamos una nueva, por estos motivos:
mail-retake_reason = ・{ $rule }: { $text }
mail-retake_comment = Nota de la persona que la revisó:
mail-retake_link = Suba la nueva foto aquí; todo lo demás que escribió está guardado:
mail-retake_same_way = Envíe la nueva foto de la misma forma en que hizo la solicitud.
mail-retake_rules = La foto debe haberse tomado en los últimos 6 meses, de frente, sin sombrero y con fondo liso.
mail-retake_note = [Español] Envíe una nueva foto para su solicitud; los motivos (con el código de la regla) están arriba.
mail-accepted_subject = Solicitud de la Tarjeta My Number: foto aceptada
mail-accepted_intro = Hemos revisado la foto que envió y la hemos aceptado para su solicitud.
mail-accepted_form_id = ID del formulario (últimos 4 dígitos): { $id }
mail-accepted_no_more = No necesita enviar otra foto.
mail-accepted_note = [Español] Su foto fue aceptada; no necesita enviar otra.
