# Arabic: written right to left; the page sets dir="rtl".
-brand = Crocodile

page-title = عرض { -brand } للتدويل
lang-name = العربية
language = اللغة
greeting = مرحبًا! عنوانك هو { $ip }.
visits = { $count ->
    [zero] لم تُعرض هذه الصفحة بعد.
    [one] عُرضت هذه الصفحة مرة واحدة.
    [two] عُرضت هذه الصفحة مرتين.
    [few] عُرضت هذه الصفحة { $count } مرات.
    [many] عُرضت هذه الصفحة { $count } مرة.
   *[other] عُرضت هذه الصفحة { $count } مرة.
}
source = اختير بواسطة: { $source }
numbers = الأرقام كما تُكتب هنا: { NUMBER($sample, maximumFractionDigits: 2) } و{ NUMBER($ratio, style: "percent", maximumFractionDigits: 1) }.
