" lrc experiment files (lr(5)).
autocmd BufRead,BufNewFile *.lr setfiletype lr
