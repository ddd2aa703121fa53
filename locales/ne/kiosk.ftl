# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = माई नम्बर कार्डको फोटो
kiosk-language = भाषा
kiosk-attract = आवेदन फारमको QR कोड क्यामेरातिर देखाउनुहोस्
kiosk-form = फारम पढियो। क्यामेरातिर सिधा हेर्नुहोस्
kiosk-accept = यो फोटो पठाइनेछ
kiosk-review = यो फोटो एक कर्मचारीले जाँच गर्नुहुनेछ
kiosk-reject = यो फोटो नियम अनुसार छैन। फेरि खिचौँ
kiosk-hold = नहल्लिनुहोस्
kiosk-choose = फेरि खिच्ने मौका सकियो। छान्नुहोस्
kiosk-submit = सबैभन्दा राम्रो फोटो पठाउनुहोस् (कर्मचारीले जाँच गर्नुहुनेछ)
kiosk-cancel = रद्द गरेर पैसा फिर्ता लिनुहोस्
