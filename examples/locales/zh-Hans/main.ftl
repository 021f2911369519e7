-brand = Crocodile

page-title = { -brand } 国际化演示
lang-name = 简体中文
language = 语言
greeting = 你好！你的地址是 { $ip }。
visits = { $count ->
   *[other] 此页面已被浏览 { $count } 次。
}
source = 选择来源：{ $source }
numbers = 本地的数字写法：{ NUMBER($sample, maximumFractionDigits: 2) } 和 { NUMBER($ratio, style: "percent", maximumFractionDigits: 1) }。
