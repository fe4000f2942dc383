"""Chinese for the messages core/ writes that the interface shows (components/i18n_core.py).

Keys are core's English messages as templates: the literal text exactly as core writes it,
each value core puts in as a {field}. Kinds of field, by name:

- ``n``, ``n2``...: a number as core formats it (``1,234``, ``3.5``);
- ``part``, ``part2``: a piece core adds from a fixed list (a file kind, a duplicate
  policy): translated with this table too;
- ``parts``: core's pieces joined by "; " (the reasons of a parse check, ragged lines);
- ``list``, ``list2``: core.errors.short_list of the user's values ("a, b and 3 more");
- any other name: the user's own text (a file, column or sheet name, ids, rows, an
  error from a library), put back exactly as it is.

Grouped by the module whose text they mirror; tests/app/test_core_messages.py makes
each message from core with a bad input and fails when core's wording and this table part.
"""

from __future__ import annotations

CORE_ZH: dict[str, str] = {
    # core/catalog/read.py
    '{name} is empty: the file needs a header row and products':
        '{name} 是空文件：文件需要一个表头行和商品行',
    '{name} is empty: the file needs a header row':
        '{name} 是空文件：文件需要一个表头行',
    '{name} is an old Excel 97-2003 workbook (.xls) despite its name; it was read as one':
        '{name} 虽然扩展名不同，其实是旧版 Excel 97-2003 工作簿（.xls）；已按工作簿读取',
    # core/catalog/xls.py
    '{name} is not a readable Excel 97-2003 workbook (it is protected by a password; save a copy '
    'without one); open it in Excel and save it as .xlsx, or export CSV':
        '{name} 不是可读取的 Excel 97-2003 工作簿（它有密码保护；请另存一份不带密码的副本）；'
        '请在 Excel 中打开并另存为 .xlsx，或导出为 CSV',
    '{name} is not a readable Excel 97-2003 workbook (the file is damaged or was cut short); '
    'open it in Excel and save it as .xlsx, or export CSV':
        '{name} 不是可读取的 Excel 97-2003 工作簿（文件已损坏或不完整）；'
        '请在 Excel 中打开并另存为 .xlsx，或导出为 CSV',
    '{name} is an Excel workbook despite its name; it was read as one':
        '{name} 虽然扩展名不同，其实是 Excel 工作簿；已按工作簿读取',
    '{name} is an OpenDocument spreadsheet (.ods, LibreOffice) despite its name; it was read '
    'as one':
        '{name} 虽然扩展名不同，其实是 OpenDocument 电子表格（.ods，LibreOffice）；已按电子表格读取',
    '{name} is an Apple Numbers document; in Numbers choose File > Export To > CSV (or Excel) '
    'and use that file':
        '{name} 是 Apple Numbers 文档；请在 Numbers 中选择“文件 > 导出为 > CSV”（或 Excel），'
        '再使用导出的文件',
    "{name} is not a readable OpenDocument spreadsheet (the file is damaged or was cut short); "
    "save it again in LibreOffice, or export CSV":
        "{name} 不是可读取的 OpenDocument 电子表格（文件已损坏或不完整）；"
        "请在 LibreOffice 中重新保存，或导出为 CSV",
    "{name} is not a readable OpenDocument spreadsheet (the file is damaged: {detail}); save it "
    "again in LibreOffice, or export CSV":
        "{name} 不是可读取的 OpenDocument 电子表格（文件已损坏：{detail}）；"
        "请在 LibreOffice 中重新保存，或导出为 CSV",
    "{name} is protected by a password; save a copy without one in LibreOffice, or export CSV":
        "{name} 有密码保护；请在 LibreOffice 中另存一份不带密码的副本，或导出为 CSV",
    "{name} declares a document type, which no spreadsheet program writes; save it again in "
    "LibreOffice, or export CSV":
        "{name} 声明了文档类型，电子表格程序不会这样写；请在 LibreOffice 中重新保存，或导出为 CSV",
    '{name} is a Parquet file despite its name; it was read as one':
        '{name} 虽然扩展名不同，其实是 Parquet 文件；已按 Parquet 读取',
    '{name} is a web page with a table (some shop systems export those under an Excel name); '
    'its largest table was read':
        '{name} 其实是带表格的网页（有些店铺后台以 Excel 文件名导出这种文件）；已读取其中最大的表格',
    '{name} is text (CSV), not a workbook, despite its name; it was read as text':
        '{name} 虽然扩展名是工作簿，其实是文本（CSV）；已按文本读取',
    '{name}: the column names are on row {n} of its table; the {n2} rows above them (a title '
    'or blank) were skipped':
        '{name}：列名在表格的第 {n} 行；其上方的 {n2} 行（标题或空行）已跳过',
    '{n} cells written as ="..." (Excel\'s keep-as-text form) in {list} were read as the text '
    'inside':
        '{list} 中有 {n} 个单元格写成 ="..."（Excel 保留文本的写法），已按其中的文本读取',
    '{name} is XML despite its name; it was read as a product feed':
        '{name} 虽然扩展名不同，其实是 XML；已按商品数据源读取',
    '{name} is an Excel XML spreadsheet (XML Spreadsheet 2003) despite its name; it was read '
    'as one':
        '{name} 虽然扩展名不同，其实是 Excel XML 电子表格（XML Spreadsheet 2003）；已按电子表格读取',
    '{name} is JSON despite its name; it was read as JSON':
        '{name} 虽然扩展名不同，其实是 JSON；已按 JSON 读取',
    '{name} is delimited text (CSV), not XML or JSON, despite its name; it was read as text':
        '{name} 虽然扩展名是 XML 或 JSON，其实是分隔文本（CSV）；已按文本读取',
    '{name} unpacks to more than {n} MB, the limit; split the file or raise the limit '
    '($CATSIM_MAX_UPLOAD_MB)':
        '{name} 解压后超过 {n} MB 上限；请拆分文件，或调高上限（$CATSIM_MAX_UPLOAD_MB）',
    '{name} is a damaged gzip file ({error}); download or pack it again':
        '{name} 是损坏的 gzip 文件（{error}）；请重新下载或重新压缩',
    # core/catalog/feeds.py
    "{name} declares the encoding '{encoding}', which is not one this reader knows; save the "
    "feed as UTF-8":
        "{name} 声明的编码“{encoding}”无法识别；请将数据源另存为 UTF-8",
    '{name} has more than {n} products, the limit; split the file or raise $CATSIM_MAX_ROWS':
        '{name} 的商品超过 {n} 个上限；请拆分文件，或调高 $CATSIM_MAX_ROWS',
    '{name} has more than {n} different fields per product; export the catalog as CSV with the '
    'columns you need':
        '{name} 每个商品的不同字段超过 {n} 个；请导出为只含所需列的 CSV',
    '{name} declares entities in a document type, which no product feed needs (it is how XML '
    'bombs grow); export the feed again':
        '{name} 在文档类型中声明了实体，商品数据源用不到它（XML 炸弹就是这样膨胀的）；请重新导出数据源',
    '{name} is not well-formed XML ({what} at line {n}, column {n2}); an HTML name such as '
    '&nbsp; is not XML: write &#160; or the character itself':
        '{name} 不是格式正确的 XML（第 {n} 行第 {n2} 列：{what}）；&nbsp; 这类 HTML 名称不是 XML：'
        '请写成 &#160; 或直接写该字符',
    '{name} is not well-formed XML ({what} at line {n}, column {n2}); fix that line or export '
    'the feed again':
        '{name} 不是格式正确的 XML（第 {n} 行第 {n2} 列：{what}）；请修正该行，或重新导出数据源',
    '{name} nests its elements deeper than any product feed (more than {n} levels); export the '
    'catalog as CSV':
        '{name} 的元素嵌套比任何商品数据源都深（超过 {n} 层）；请导出为 CSV',
    '{name} has more kinds of elements than any product feed (more than {n}); export the '
    'catalog as CSV':
        '{name} 的元素种类比任何商品数据源都多（超过 {n} 种）；请导出为 CSV',
    '{name} is XML without product fields (no element holds fields or attributes); export the '
    'catalog as CSV or a product feed':
        '{name} 是没有商品字段的 XML（没有任何元素包含字段或属性）；请导出为 CSV 或商品数据源',
    '{name} is an XML feed: each <{tag}> element was read as a product ({n} of them), its '
    'fields as columns':
        '{name} 是 XML 数据源：每个 <{tag}> 元素读作一个商品（共 {n} 个），其字段读作列',
    '{name} is an XML spreadsheet without a worksheet; export the catalog again':
        '{name} 是没有工作表的 XML 电子表格；请重新导出商品目录',
    '{name} is a JSON document of {n} MB, over the {n2} MB a JSON document may be (it is read '
    'whole); write it as JSON Lines (one product per line), export CSV, or raise '
    '$CATSIM_MAX_XLSX_MB':
        '{name} 是 {n} MB 的 JSON 文档，超过 JSON 文档 {n2} MB 的上限（需要整体读取）；'
        '请写成 JSON Lines（每行一个商品）、导出为 CSV，或调高 $CATSIM_MAX_XLSX_MB',
    '{name} is not valid JSON ({what} at line {n}, column {n2}); fix that line or export the '
    'catalog again':
        '{name} 不是有效的 JSON（第 {n} 行第 {n2} 列：{what}）；请修正该行，或重新导出商品目录',
    '{name} nests values deeper than any catalog; export the catalog as CSV':
        '{name} 的值嵌套比任何商品目录都深；请导出为 CSV',
    '{name}: line {n} is not valid JSON ({what}, column {n2}); fix that line':
        '{name}：第 {n} 行不是有效的 JSON（第 {n2} 列：{what}）；请修正该行',
    '{name}: line {n} nests values deeper than any catalog; export the catalog as CSV':
        '{name}：第 {n} 行的值嵌套比任何商品目录都深；请导出为 CSV',
    '{name}: line {n} is not an object ({...}); each line of JSON Lines must be one product':
        '{name}：第 {n} 行不是对象（{...}）；JSON Lines 的每一行必须是一个商品',
    '{name} is a JSON list of values, not of products (objects with fields); export the '
    'catalog as CSV or as a list of objects':
        '{name} 是由值组成的 JSON 列表，不是商品（带字段的对象）；请导出为 CSV 或对象列表',
    '{name} is JSON holding a single value, not products (objects with fields); export the '
    'catalog as CSV or as a list of objects':
        '{name} 是只含单个值的 JSON，不是商品（带字段的对象）；请导出为 CSV 或对象列表',
    '{name} is JSON Lines: each line was read as a product ({n} of them), its fields as '
    'columns':
        '{name} 是 JSON Lines：每一行读作一个商品（共 {n} 个），其字段读作列',
    '{name} is JSON: each object of its list was read as a product ({n} of them), its fields '
    'as columns':
        '{name} 是 JSON：列表中的每个对象读作一个商品（共 {n} 个），其字段读作列',
    '{name} is JSON: each entry of its object was read as a product ({n} of them), its fields '
    'as columns':
        '{name} 是 JSON：对象中的每一项读作一个商品（共 {n} 个），其字段读作列',
    '{name} is JSON holding one object: it was read as one product':
        '{name} 是只含一个对象的 JSON：已读作一个商品',
    '{name} is JSON: each object of "{key}" was read as a product ({n} of them), its fields as '
    'columns':
        '{name} 是 JSON：“{key}”中的每个对象读作一个商品（共 {n} 个），其字段读作列',
    # core/catalog/htmltable.py
    '{name} is a web page of {n} MB, over the {n2} MB limit for pages; open it in Excel and save '
    'it as .xlsx or CSV':
        '{name} 是 {n} MB 的网页，超过网页 {n2} MB 的上限；请在 Excel 中打开并另存为 .xlsx 或 CSV',
    '{name} has more than {n} table cells, the limit; export it as CSV or drop columns the '
    'catalog does not need':
        '{name} 的表格单元格超过 {n} 个上限；请导出为 CSV，或删去商品目录用不到的列',
    '{name} is a web page (HTML) without a table of products; open it in Excel and save it as '
    '.xlsx or CSV':
        '{name} 是网页（HTML），其中没有商品表格；请在 Excel 中打开并另存为 .xlsx 或 CSV',
    'File not found: {path}':
        '找不到文件：{path}',
    '{path} is a folder, not a catalog file':
        '{path} 是文件夹，不是目录文件',
    'Cannot read {path}: {error}':
        '无法读取 {path}：{error}',
    '{name} has a header but no product rows':
        '{name} 只有表头，没有商品行',
    '{name} is {n} MB, over the {n2} MB limit; split the file or raise the limit '
    '($CATSIM_MAX_UPLOAD_MB)':
        '{name} 大小为 {n} MB，超过 {n2} MB 的上限；请拆分文件，或提高上限'
        '（$CATSIM_MAX_UPLOAD_MB）',
    '{name} looks like a binary file ({part}), not CSV text':
        '{name} 看起来是二进制文件（{part}），不是 CSV 文本',
    '{name} looks like a binary file (control characters), not CSV text; export the catalog '
    'as CSV, Excel or Parquet':
        '{name} 看起来是二进制文件（含控制字符），不是 CSV 文本；请把目录导出为 CSV、Excel 或 '
        'Parquet',
    '{name}: all {n} rows were skipped as ragged ({parts}); check the delimiter':
        '{name}：全部 {n} 行的字段数都与表头不符，已被跳过（{parts}）；请检查分隔符',
    'Unknown encoding {encoding}; use e.g. utf-8, gb18030, cp1252 or utf-16':
        '未知的编码 {encoding}；请使用例如 utf-8、gb18030、cp1252 或 utf-16',
    '{name} is not {encoding}: byte {n} (line {n2}) does not decode; choose another encoding':
        '{name} 不是 {encoding} 编码：字节位置 {n}（第 {n2} 行）无法解码；请选择其他编码',
    '{n} bytes are not UTF-8 (lines {list}); they read as \ufffd and the rest is kept as '
    'UTF-8; save the file again as UTF-8 to fix them':
        '{n} 个字节不是 UTF-8（第 {list} 行）；它们显示为 \ufffd，其余内容仍按 UTF-8 读取；'
        '把文件重新另存为 UTF-8 即可修正',
    '{name}: cannot parse the header line ({error})':
        '{name}：无法解析表头行（{error}）',
    '{name} has more than {n} rows, the limit; split the file or raise $CATSIM_MAX_ROWS':
        '{name} 超过 {n} 行的上限；请拆分文件，或提高 $CATSIM_MAX_ROWS',
    '{name}: malformed CSV near line {n} ({error})':
        '{name}：第 {n} 行附近的 CSV 格式有误（{error}）',
    '{name}: the quoted field that starts on line {n} is never closed, so every line after it '
    'would be read as one cell; close or remove the stray quote (")':
        '{name}：从第 {n} 行开始的带引号字段没有闭合，其后的每一行都会被读成同一个单元格；'
        '请补上或删除多余的引号（"）',
    '{n} ragged rows were skipped, not padded ({parts}); fix them in the file to include them':
        '{n} 行的字段数与表头不符，已跳过而没有补齐（{parts}）；在文件中修正后即可纳入',
    'line {n}: {n2} fields, header has {n3}':
        '第 {n} 行：{n2} 个字段，表头有 {n3} 个',
    '{n} header cells were empty; named them {names}':
        '{n} 个表头单元格为空；已命名为 {names}',
    "{name} has {n} sheets; reading '{sheet}' (others: {list})":
        "{name} 有 {n} 个工作表；正在读取“{sheet}”（其他：{list}）",
    '{name} has repeated column names; the later ones were named {list} to tell them apart '
    '(rename them in the file to choose other names)':
        '{name} 有重复的列名；后面的列已命名为 {list} 以便区分（如需其他名称，请在文件中重命名）',
    # core/catalog/product_rows.py: rows that are no products
    '{name}: {n} empty rows (every cell blank) were left out':
        '{name}：已略去 {n} 个空行（每个单元格都为空）',
    '{name}: {n} empty row (every cell blank) was left out':
        '{name}：已略去 {n} 个空行（每个单元格都为空）',
    '{name}: the last rows hold a total ({cells}), not a product; left out':
        '{name}：最后几行是合计（{cells}），不是商品；已略去',
    '{name}: the row under the column names holds units ({units}), not a product; left out':
        '{name}：列名下面一行是单位（{units}），不是商品；已略去',
    # core/catalog/textenc.py: what a binary upload looks like (binary_kind)
    'a zip archive; unzip it and use the catalog file inside':
        'zip 压缩包；请解压后使用其中的商品目录文件',
    'a PDF document; export the catalog as CSV, Excel or Parquet':
        'PDF 文档；请把目录导出为 CSV、Excel 或 Parquet',
    'a PNG image; use the catalog file, not an image':
        'PNG 图片；请使用目录文件，而不是图片',
    'a JPEG image; use the catalog file, not an image':
        'JPEG 图片；请使用目录文件，而不是图片',
    'a GIF image; use the catalog file, not an image':
        'GIF 图片；请使用目录文件，而不是图片',
    'an SQLite database; export a table as CSV':
        'SQLite 数据库；请把表导出为 CSV',
    'a program; use the catalog file':
        '程序文件；请使用目录文件',
    'binary data; export the catalog as CSV, Excel or Parquet':
        '二进制数据；请把目录导出为 CSV、Excel 或 Parquet',
    # core/catalog/textenc.py
    '{name} starts with a UTF-8 mark but byte {n} is not UTF-8; save it again as UTF-8':
        '{name} 以 UTF-8 标记开头，但字节位置 {n} 不是 UTF-8；请重新另存为 UTF-8',
    '{name} starts with a UTF-16 mark but is not valid UTF-16; save it again as UTF-8 or UTF-16':
        '{name} 以 UTF-16 标记开头，但不是有效的 UTF-16；请重新另存为 UTF-8 或 UTF-16',
    # core/catalog/checks.py (the app's read form: 分隔符, 编码, 第一行是列名, 仍然读取)
    "{name} may not be read right: {parts}. Look at its first lines and set the delimiter, "
    "header and encoding yourself (app: the 'Read it as' choices; CLI: --delimiter, "
    "--no-header, --encoding), or read it anyway (app: 'Read anyway'; CLI: --allow-ragged)":
        '{name} 可能没有被正确读取：{parts}。请查看文件的前几行，自己设定分隔符、表头和编码'
        '（应用中：下方的“分隔符”“编码”“第一行是列名”；命令行：--delimiter、--no-header、'
        '--encoding），或者仍然读取（应用中：“仍然读取”；命令行：--allow-ragged）',
    '{n} of {n2} rows have a different number of fields than the header ({n3} with delimiter '
    '{delimiter})':
        '{n2} 行中有 {n} 行的字段数与表头不同（表头按分隔符 {delimiter} 分为 {n3} 个字段）',
    'every line is one column, and the first holds {run}, which may be the separator':
        '每一行都只有一列，而第一行含有 {run}，它可能是分隔符',
    'the first line looks like a product, not column names ({list})':
        '第一行看起来是一个商品，而不是列名（{list}）',
    'control characters (such as NUL or ESC) in {list} were replaced by \ufffd':
        '{list} 中的控制字符（如 NUL 或 ESC）已替换为 \ufffd',
    # core/catalog/limits.py
    '{name} must be a positive integer, got {value}':
        '{name} 必须是正整数，实际为 {value}',
    '${name} must be a whole number, got {value}':
        '${name} 必须是整数，实际为 {value}',
    'Limits: files up to {n} MB, {n2} rows; text cells over {n3} characters are truncated for '
    'the model.':
        '上限：文件最大 {n} MB、{n2} 行；超过 {n3} 个字符的文本单元格，模型只读取前面部分。',
    # core/catalog/parquet.py
    '{name} has {n} rows, over the {n2} row limit; split it or raise $CATSIM_MAX_ROWS':
        '{name} 有 {n} 行，超过 {n2} 行的上限；请拆分文件，或提高 $CATSIM_MAX_ROWS',
    '{name} is not a readable Parquet file (the file is damaged or was cut short); export it '
    'again':
        '{name} 不是可读取的 Parquet 文件（文件已损坏或不完整）；请重新导出',
    '{n} columns hold binary or nested data and were left out ({list})':
        '{n} 列包含二进制或嵌套数据，已略去（{list}）',
    # core/catalog/xlsx.py
    '{name} is not a readable Excel workbook (the file is damaged or was cut short); save it '
    'again as .xlsx or export CSV':
        '{name} 不是可读取的 Excel 工作簿（文件已损坏或不完整）；请重新另存为 .xlsx 或导出为 CSV',
    '{name} is not a readable Excel workbook (the file is damaged: {error}); save it again as '
    '.xlsx or export CSV':
        '{name} 不是可读取的 Excel 工作簿（文件已损坏：{error}）；请重新另存为 .xlsx 或导出为 CSV',
    "Sheet '{sheet}' is not in {name}; sheets: {list}":
        "工作表“{sheet}”不在 {name} 中；现有工作表：{list}",
    "Sheet '{sheet}' of {name} cannot be read (the file is damaged: {error}); save the workbook "
    "again":
        "{name} 的工作表“{sheet}”无法读取（文件已损坏：{error}）；请重新保存工作簿",
    '{name} unpacks to {n} MB of XML (largest part {n2} MB), over the {n3} MB limit for '
    'workbooks; export the sheet as CSV (CSV reads faster and uses less memory) or raise '
    '$CATSIM_MAX_XLSX_MB':
        '{name} 解压后有 {n} MB 的 XML（最大部分 {n2} MB），超过工作簿 {n3} MB 的上限；'
        '请把工作表导出为 CSV（CSV 读取更快、占用内存更少），或提高 $CATSIM_MAX_XLSX_MB',
    "Sheet '{sheet}' of {name} has more than {n} rows, the limit; split it or raise "
    "$CATSIM_MAX_ROWS":
        "{name} 的工作表“{sheet}”超过 {n} 行的上限；请拆分，或提高 $CATSIM_MAX_ROWS",
    "Sheet '{sheet}' of {name} has more than {n} cells, the limit; export it as CSV or drop "
    "columns the catalog does not need":
        "{name} 的工作表“{sheet}”超过 {n} 个单元格的上限；请导出为 CSV，或删去目录不需要的列",
    "Sheet '{sheet}' of {name}: the column names are on row {n}; the {n2} rows above them (a "
    "title or blank) were skipped":
        "{name} 的工作表“{sheet}”：列名在第 {n} 行；其上方的 {n2} 行（标题或空行）已跳过",
    '{name}: the column names are on line {n}; the {n2} lines above them (a title or blank) '
    'were skipped':
        '{name}：列名在第 {n} 行；其上方的 {n2} 行（标题或空行）已跳过',
    '{name}: the column names are on line {n}; the line above them (a title or blank) was '
    'skipped':
        '{name}：列名在第 {n} 行；其上方的 1 行（标题或空行）已跳过',
    '{name}: the column names are on row {n} of its table; the row above them (a title or '
    'blank) was skipped':
        '{name}：列名在表格的第 {n} 行；其上方的 1 行（标题或空行）已跳过',
    "Sheet '{sheet}' of {name}: the column names are on row {n}; the row above them (a title "
    "or blank) was skipped":
        "{name} 的工作表“{sheet}”：列名在第 {n} 行；其上方的 1 行（标题或空行）已跳过",
    "Sheet '{sheet}' of {name}: {n} cells hold formulas whose result was never saved (a "
    "program wrote the workbook), read as empty; open it in Excel or LibreOffice and save it, "
    "or export the sheet as CSV":
        "{name} 的工作表“{sheet}”：{n} 个单元格是从未保存计算结果的公式（工作簿由程序生成），"
        "按空值读取；请用 Excel 或 LibreOffice 打开后保存，或把该工作表导出为 CSV",
    "Sheet '{sheet}' of {name}: {n} cell holds a formula whose result was never saved (a "
    "program wrote the workbook), read as empty; open it in Excel or LibreOffice and save it, "
    "or export the sheet as CSV":
        "{name} 的工作表“{sheet}”：{n} 个单元格是从未保存计算结果的公式（工作簿由程序生成），"
        "按空值读取；请用 Excel 或 LibreOffice 打开后保存，或把该工作表导出为 CSV",
    # core/catalog/table.py: the catalog report (ValidationReport.lines)
    '{n} duplicate ids ({list}); policy: {part}':
        '{n} 个重复编号（{list}）；处理方式：{part}',
    'error':
        '停止并显示出来',
    'keep-first':
        '保留第一个',
    'suffix':
        '全部保留，给副本编号',
    '{n} rows with empty text (rows {rows})':
        '{n} 行文本为空（第 {rows} 行）',
    '1 row with empty text (row {rows})':
        '1 行文本为空（第 {rows} 行）',
    # core/catalog/table.py
    "Column '{column}' is not in the catalog; available: {list}":
        "列“{column}”不在目录中；可用的列：{list}",
    'No text column found: the catalog needs at least one column of product text (title, name '
    'or description); columns: {list}':
        '没有找到文本列：目录至少需要一列商品文本（标题、名称或描述）；现有列：{list}',
    "Column '{column}' has {n} duplicate ids (e.g. {list}); choose keep-first or suffix for "
    "duplicate ids, or map another id column":
        "列“{column}”有 {n} 个重复编号（例如 {list}）；请在“同一编号出现两次时”选择“保留第一个”"
        "或“全部保留，给副本编号”，或者换一列作为编号列",
    'Text column(s) {columns} are empty in every row; map a column that holds product text':
        '文本列 {columns} 在每一行都是空的；请选择包含商品文本的列',
    '{n} texts are over {n2} characters (rows {rows}); the model and the word index read only '
    'their first {n2} characters':
        '{n} 条文本超过 {n2} 个字符（第 {rows} 行）；模型和词索引只读取其前 {n2} 个字符',
    '1 text is over {n2} characters (row {rows}); the model and the word index read only its '
    'first {n2} characters':
        '1 条文本超过 {n2} 个字符（第 {rows} 行）；模型和词索引只读取其前 {n2} 个字符',
    'on_duplicate_ids must be one of {policies}':
        'on_duplicate_ids 必须是以下之一：{policies}',
    'Choose at least one text column to embed':
        '请至少选择一个文本列',
    'Column(s) {list} not in the catalog; available: {list2}':
        '列 {list} 不在目录中；可用的列：{list2}',
    "Id column '{column}' is empty in {n} rows (rows {rows}); fill them in, map another id "
    "column or use row numbers":
        "编号列“{column}”有 {n} 行为空（第 {rows} 行）；请补全，或换一列作为编号列，或使用行号",
    "Id column '{column}' is empty in 1 row (row {rows}); fill it in, map another id column or "
    "use row numbers":
        "编号列“{column}”有 1 行为空（第 {rows} 行）；请补全，或换一列作为编号列，或使用行号",
    # core/catalog/table.py: a price column that prices one product far apart
    "Prices in column '{column}' are left out of the scores: of {n} pairs of products that "
    "name the same model number, {n2}% are priced more than twice apart (e.g. {a} at {n3} "
    "and {b} at {n4}). If the column mixes currencies, or cents and whole units, put one "
    "currency and unit in it; if those are packs or bundles of one model, nothing needs "
    "fixing. The price rules and the price check still read it":
        "价格列“{column}”未计入分数：在 {n} 对标注同一型号的商品中，{n2}% 的价格相差两倍以上"
        "（例如 {a} 为 {n3}，{b} 为 {n4}）。如果该列混用了不同币种，或混用了分和元，"
        "请让该列只用一种币种和单位；如果这些是同一型号的不同包装或套装，则无需修改。"
        "价格规则和价格检查仍会读取该列",
    # core/catalog/column_checks.py: ids and prices a spreadsheet changed
    "{n} ids in column '{column}' are written in scientific notation (rows {rows}: {values}): a "
    "spreadsheet rounded these numbers, so their last digits are lost and different products "
    "can share an id; format the column as Text in the spreadsheet and export the file again":
        "列“{column}”有 {n} 个编号写成了科学计数法（第 {rows} 行：{values}）：电子表格把这些数字"
        "四舍五入了，末几位已丢失，不同商品可能因此编号相同；请在电子表格中把该列设为“文本”格式后"
        "重新导出",
    "{n} values in column '{column}' are written in scientific notation (rows {rows}: "
    "{values}): a spreadsheet rounded these numbers, so different products can share one; they "
    "are not compared. Format the column as Text in the spreadsheet and export the file again":
        "列“{column}”有 {n} 个值写成了科学计数法（第 {rows} 行：{values}）：电子表格把这些数字四舍五入"
        "了，不同商品可能因此共用一个；这些值不参与比较。请在电子表格中把该列设为“文本”格式后重新导出",
    "{name} is a Magento product export of {n} rows; left out: rows of another store view {n2}, "
    "products not visible on their own (the simple products of configurable ones) {n3}. The "
    "lists are of the {n4} products shoppers see":
        "{name} 是 Magento 商品导出文件，共 {n} 行；已略去：其他店铺视图的行 {n2} 行，不单独显示的商品"
        "（可配置商品下的简单商品）{n3} 个。列表针对顾客能看到的 {n4} 个商品",
    "{name} is a WooCommerce product export: its {n} rows hold {n2} products and {n3} "
    "variations (sizes, colours and other options of variable products); the variations were "
    "left out, so the lists are of the products":
        "{name} 是 WooCommerce 商品导出文件：其中 {n} 行包含 {n2} 个商品和 {n3} 个变体（可变商品的尺码、"
        "颜色等选项）；变体已略去，列表针对商品本身",
    "{name} is a Shopify product export: its {n} rows describe {n2} products (the other rows are "
    "their variants and extra photos), so it was read as one row per product, named by its "
    "{handle}, with the first variant's price, SKU and barcode and the first photo":
        "{name} 是 Shopify 商品导出文件：其中 {n} 行描述了 {n2} 个商品（其余各行是商品的变体和附加图片），"
        "因此按每个商品一行读取，以其 {handle} 命名，价格、SKU 和条码取第一个变体的，图片取第一张",
    "Every id in column '{column}' ends in '.0' (e.g. {id}), as a spreadsheet writes numbers; "
    "the lists keep the ids as written. If your shop's ids have no '.0', format the column as "
    "Text in the spreadsheet and export the file again":
        "列“{column}”的每个编号都以“.0”结尾（例如 {id}），这是电子表格写数字的方式；列表会按原样"
        "保留这些编号。如果店铺的编号本来没有“.0”，请在电子表格中把该列设为“文本”格式后重新导出",
    "{n} prices in column '{column}' cannot be read as a price (rows {rows}: {values}); price "
    "rules and the price check treat them as unknown; write them as numbers (e.g. 12.50) or "
    "leave them empty":
        "列“{column}”有 {n} 个价格无法读成价格（第 {rows} 行：{values}）；价格规则和价格检查把它们"
        "当作未知；请写成数字（例如 12.50）或留空",
    # core/catalog/images.py, image_source.py: why a photo was skipped (after its file name)
    'is SVG/XML/HTML, not a photo; SVG is never rendered (export the image as PNG or JPEG)':
        '是 SVG/XML/HTML，不是照片；SVG 从不显示（请把图片导出为 PNG 或 JPEG）',
    'is {n}x{n2} pixels, more than the limit of {n3} ($CATSIM_MAX_IMAGE_PIXELS); save it '
    'smaller, e.g. 2,000 pixels wide':
        '为 {n}x{n2} 像素，超过 {n3} 像素的上限（$CATSIM_MAX_IMAGE_PIXELS）；请存成小一些的图片，'
        '例如宽 2,000 像素',
    'is empty':
        '是空文件',
    'claims more pixels than any photo has (a damaged or hostile file), so it is not opened; '
    'save it again as JPEG or PNG':
        '声称的像素远超任何照片（文件损坏或有害），因此不会打开；请重新存为 JPEG 或 PNG',
    'is {n} MB, more than the limit of {n2} MB ($CATSIM_MAX_IMAGE_MB)':
        '大小为 {n} MB，超过 {n2} MB 的上限（$CATSIM_MAX_IMAGE_MB）',
    'is not an image in an allowed format ({formats})':
        '不是允许格式的图片（{formats}）',
    'is a HEIC/AVIF photo (as phones save them), which is not read; save it as JPEG':
        '是 HEIC/AVIF 图片（手机常用的格式），无法读取；请另存为 JPEG',
    'cannot be decoded ({error})':
        '无法解码（{error}）',
    "is a web address and downloading photos is off (turn on 'Download photos from web "
    "addresses' / --fetch-images)":
        '是网址，而下载图片已关闭（请打开“从图片列中的网址（http/https）下载图片”，'
        '命令行：--fetch-images）',
    'is neither a file name nor an http(s) URL':
        '既不是文件名，也不是 http(s) 网址',
    'is a file name, but no .zip of photos was uploaded (Catalog page) and no folder given '
    '(--images DIR)':
        '是文件名，但没有上传图片 .zip（“商品目录”页面），也没有指定文件夹（--images DIR）',
    'is outside the image folder {folder} (give paths relative to it)':
        '在图片文件夹 {folder} 之外（请给出相对于它的路径）',
    'was not found':
        '没有找到',
    'is more than {n} MB':
        '超过 {n} MB',
    'cannot be read: the zip file is broken ({error})':
        '无法读取：zip 文件已损坏（{error}）',
    'was not found in the zip':
        '在 zip 中没有找到',
    'matches {n} files in the zip ({list}); write its folder in the image column, as in the '
    'zip':
        '对应 zip 中的 {n} 个文件（{list}）；请在图片列中写上它所在的文件夹，与 zip 中一致',
    # core/catalog/fetch.py: photos downloaded from web addresses
    'the server answered HTTP {n}':
        '服务器返回 HTTP {n}',
    "has Content-Type '{type}', not an allowed image type":
        '的 Content-Type 为“{type}”，不是允许的图片类型',
    "has Content-Type '{type}', not an allowed image type (SVG is never rendered)":
        '的 Content-Type 为“{type}”，不是允许的图片类型（SVG 从不显示）',
    'could not be downloaded ({error})':
        '无法下载（{error}）',
    'more than {n} redirects':
        '重定向超过 {n} 次',
    'is {n} MB, more than the limit':
        '大小为 {n} MB，超过上限',
    'download took more than {n} s':
        '下载超过 {n} 秒',
    'is not an http(s) URL':
        '不是 http(s) 网址',
    'is not a valid web address ({error})':
        '不是有效的网址（{error}）',
    'host {host} is a private, loopback or reserved address ({addresses}); only public hosts '
    'are fetched':
        '主机 {host} 是私有、回环或保留地址（{addresses}）；只从公网主机下载',
    'host {host} cannot be found: the computer downloading the photos has no internet '
    'connection, or the address is misspelt ({error})':
        '找不到主机 {host}：下载图片的电脑没有连接互联网，或者网址拼写有误（{error}）',
    'host {host} cannot be found: this computer has no internet connection, or the address is '
    'misspelt ({error})':
        '找不到主机 {host}：这台电脑没有连接互联网，或者网址拼写有误（{error}）',
    'Could not load {url}: the file is not shared with everyone who has the link, so a sign-in '
    'page came instead; share it with anyone who has the link (Google Sheets: Share > Anyone '
    'with the link, Viewer), or download it and upload it':
        '无法加载 {url}：该文件没有对所有获得链接的人共享，返回的是登录页面；请将它共享给所有获得链接的人'
        '（Google 表格：共享 > 知道链接的任何人，查看者），或下载后上传',
    'Could not load {url} ({part}); check the address, or download the file and upload it':
        '无法加载 {url}（{part}）；请检查网址，或先下载该文件再上传',
    'was not tried: host {host} did not answer {n} times before ({part})':
        '未尝试：主机 {host} 之前已有 {n} 次没有响应（{part}）',
    # core/finetune/data.py: labelled pairs (the Fine-tune page)
    '{n} of {n2} pairs name ids that are not in the catalog ({list}); skipped':
        '{n2} 对中有 {n} 对用到了目录中没有的编号（{list}）；已跳过',
    '{n} of {n2} pairs have an empty label (write 1 for the same product or 0 for different); '
    'skipped':
        '{n2} 对中有 {n} 对的标注为空（同一商品请填 1，不同商品请填 0）；已跳过',
    'the held-out lists did not improve; the new model was not kept':
        '留出商品的相似商品列表没有变好；新模型未保留',
    'no validation queries; the new model was not kept':
        '没有可用于检验的留出商品；新模型未保留',
    '{n} pairs join a product with itself; skipped':
        '{n} 对把商品与它自己配对；已跳过',
    '1 pair joins a product with itself; skipped':
        '1 对把商品与它自己配对；已跳过',
    'Pair labels must be 1/0 (or yes/no, y/n, accepted/rejected); found {values}':
        '配对标签必须是 1/0（或 yes/no、y/n、accepted/rejected）；发现了 {values}',
    'None of the {n} pairs matches two different catalog ids (columns used: {column}, '
    '{column2}); check the id column':
        '{n} 对中没有一对对应目录中两个不同的编号（使用的列：{column}、{column2}）；请检查编号列',
    'Fine-tuning needs at least 2 positive pairs (label 1), or the self-supervised mode for a '
    'catalog without labels':
        '微调至少需要 2 个正例配对（标签 1）；没有标签的目录请使用自监督模式',
    # core/config.py: a settings file (the Export page's 'Load a saved configuration')
    'A configuration must be a JSON object of settings':
        '配置必须是一个由设置组成的 JSON 对象',
    'Unknown configuration key(s): {keys}; known keys: {known}':
        '未知的配置项：{keys}；已知的配置项：{known}',
    'rules must be a JSON object':
        'rules 必须是一个 JSON 对象',
    # (the setting names and option lists stay as the file holds them; {name} is a setting,
    # rules.{name} a rules key, core's own list of allowed values is {options})
    "metric '{value}' is not one of {options}":
        "metric 的值“{value}”不是以下之一：{options}",
    '{name} must be one of {options}':
        '{name} 必须是以下之一：{options}',
    '{name} must be between 0 and 1, got {value}':
        '{name} 必须在 0 到 1 之间，实际为 {value}',
    '{name} must be true or false, got {value}':
        '{name} 必须是 true 或 false，实际为 {value}',
    '{name} must be a JSON object':
        '{name} 必须是一个 JSON 对象',
    'image_model must be "bundled" or a local CLIP folder':
        'image_model 必须是 "bundled" 或本地的 CLIP 模型文件夹',
    "field_weights['{name}'] must be a number 0 or more, got {value}":
        "field_weights['{name}'] 必须是大于或等于 0 的数，实际为 {value}",
    'duplicate_threshold must be a match score between 0 and 1, got {value}':
        'duplicate_threshold 必须是 0 到 1 之间的匹配得分，实际为 {value}',
    'relevance_floor must be a share from 0 (off) to below 1, e.g. 0.9, got {value}':
        'relevance_floor 必须是从 0（关闭）到小于 1 的比例，例如 0.9，实际为 {value}',
    # core/lists/spec.py: the "rules" of a settings file (also the Tuning page's rules editor)
    'Unknown rules key(s): {keys}; known rules keys: {known}':
        '未知的规则项：{keys}；已知的规则项：{known}',
    'rules: pair {pair} is both pinned and blocked':
        'rules：商品对 {pair} 同时出现在 pinned（置顶）和 blocked（屏蔽）中',
    'rules.{name} must be a list of column names, got {value}':
        'rules.{name} 必须是列名的列表，实际为 {value}',
    'rules.{name} must be a column name, got {value}':
        'rules.{name} 必须是一个列名，实际为 {value}',
    'rules.{name} must be a number, got {value}':
        'rules.{name} 必须是数字，实际为 {value}',
    'rules.max_per must map column -> int, got {value}':
        'rules.max_per 必须是从列名到整数的对应，实际为 {value}',
    "rules.max_per['{column}'] must be an integer >= 1, got {value}":
        "rules.max_per['{column}'] 必须是大于或等于 1 的整数，实际为 {value}",
    'rules.price_ratio must be [low, high] with 0 <= low <= high, got {value}':
        'rules.price_ratio 必须是 [下限, 上限]，且 0 <= 下限 <= 上限，实际为 {value}',
    'rules.{name} must be a list of [product_id, neighbor_id] pairs':
        'rules.{name} 必须是由 [商品编号, 相似商品编号] 组成的列表',
    # core/lists/bands.py: the "bands" of a settings file (得分区间)
    'bands: every band needs a non-empty name':
        'bands：每个得分区间都需要一个非空的名称',
    "bands['{name}'] must be a number (the band's lowest score), got {value}":
        "bands['{name}'] 必须是数字（该得分区间的最低得分），实际为 {value}",
    'bands: two bands share the same threshold; give each its own':
        'bands：有两个得分区间的阈值相同；请给每个区间不同的阈值',
    # core/lists/rules.py, core/search/channels.py: a loaded settings file's rules and
    # field weights meet the catalog when the lists are made
    "rules: column '{column}' is not in the catalog; available: {columns}":
        "rules：列“{column}”不在目录中；可用的列：{columns}",
    'rules.price_ratio needs a price column: map one on the Catalog page (price_column in the '
    'configuration)':
        'rules.price_ratio 需要价格列：请在“商品目录”页面选择价格列（配置中的 price_column）',
    'Field weight column(s) {list} are not in the catalog; available: {list2}':
        '字段权重（field_weights）中的列 {list} 不在目录中；可用的列：{list2}',
    'Every field weight is 0: give at least one field a weight above 0':
        '所有字段权重（field_weights）都是 0：请至少给一个字段大于 0 的权重',
    # core/embed/models.py: the model picker's 'Other model…'
    'Model folder {name} does not exist':
        '模型文件夹 {name} 不存在',
    'Model path {path} is a file; give the model folder (with config.json and model.safetensors)':
        '模型路径 {path} 是一个文件；请给出模型文件夹（包含 config.json 和 model.safetensors）',
    'The model folder {folder} holds its weights only as {files}: such files can run code when '
    'opened, so they are not loaded. Save the model again in the safetensors format (save_pretrained '
    'with safe_serialization=True), or use the bundled all-MiniLM-L6-v2':
        '模型文件夹 {folder} 的权重只有 {files}：这类文件打开时可能运行代码，因此不会加载。'
        '请以 safetensors 格式重新保存模型（save_pretrained 时设 safe_serialization=True），'
        '或使用内置的 all-MiniLM-L6-v2',
    'The model folder {folder} has no weights file (.safetensors): copy the whole model folder '
    'again, or use the bundled all-MiniLM-L6-v2':
        '模型文件夹 {folder} 中没有权重文件（.safetensors）：请重新复制整个模型文件夹，'
        '或使用内置的 all-MiniLM-L6-v2',
    'The folder {folder} holds no model: a model folder has config.json, tokenizer files and a '
    '.safetensors weights file, as a Hugging Face model is saved. Choose another folder, or use '
    'the bundled all-MiniLM-L6-v2':
        '文件夹 {folder} 中没有模型：模型文件夹里应有 config.json、分词器文件和一个 .safetensors '
        '权重文件（即 Hugging Face 模型保存后的样子）。请选择另一个文件夹，或使用内置的 all-MiniLM-L6-v2',
    '{path} is not valid JSON ({error}); fix or remove it, or use the bundled all-MiniLM-L6-v2':
        '{path} 不是有效的 JSON（{error}）；请修正或删除它，或使用内置的 all-MiniLM-L6-v2',
    '{path}: max_seq_length must be a whole number from 1 to 8192, got {value}; fix the file or use '
    'the bundled all-MiniLM-L6-v2':
        '{path}：max_seq_length 必须是 1 到 8192 之间的整数，实际为 '
        '{value}；请修正该文件，或使用内置的 all-MiniLM-L6-v2',
    '{path} must hold a JSON object; fix or remove it, or use the bundled all-MiniLM-L6-v2':
        '{path} 必须包含一个 JSON 对象；请修正或删除它，或使用内置的 all-MiniLM-L6-v2',
    # core/embed/bert.py: Advanced's precision on a device that cannot run it
    "Precision 'Half (graphics card)' (fp16) needs a CUDA device (a graphics card) and this computer "
    "has none; choose Automatic, Full, Half (bfloat16) or Fast CPU engine under Advanced":
        "精度“半精度（显卡）”（fp16）需要 CUDA 设备（显卡），而这台电脑没有；请在“高级”中选择"
        "“自动”、“完整精度”、“半精度（bfloat16）”或“快速 CPU 引擎”",
    "Precision 'Fast CPU engine' (onnx) runs on the CPU only; choose Automatic or Half (graphics "
    "card) under Advanced on a computer with a CUDA graphics card":
        "精度“快速 CPU 引擎”（onnx）只能在 CPU 上运行；在有 CUDA 显卡的电脑上请在“高级”中选择"
        "“自动”或“半精度（显卡）”",
    # core/embed/loading.py: a Hugging Face model id that cannot be loaded here
    "Cannot load model '{model}': it is not a local folder and {part}. Download it where there "
    "is network access and give its folder, or use the bundled all-MiniLM-L6-v2. ({error})":
        "无法加载模型“{model}”：它不是本机文件夹，而且{part}。请在能联网的地方下载它并给出其文件夹，"
        "或使用内置的 all-MiniLM-L6-v2。（{error}）",
    'offline mode is on (HF_HUB_OFFLINE) and it is not in the local cache':
        '已开启离线模式（HF_HUB_OFFLINE），本地缓存中也没有它',
    'it is not in the local cache and the Hugging Face Hub cannot be reached from this computer':
        '本地缓存中没有它，这台电脑也连不上 Hugging Face 模型中心',
    # core/finetune/run.py: a model that cannot be fine-tuned (core's message, then the way out)
    '{part} Start from the bundled multilingual model instead ("multilingual": it reads English and '
    'Chinese) or the bundled all-MiniLM-L6-v2 ("bundled": English).':
        '{part} 请改为从内置的多语言模型开始（“multilingual”：能读英文和中文），或从内置的 '
        'all-MiniLM-L6-v2 开始（“bundled”：英文）。',
    '{name} cannot be fine-tuned: it is not a BERT-family model folder with config.json and '
    'safetensors weights. Start from the bundled multilingual model instead ("multilingual": it '
    'reads English and Chinese) or the bundled all-MiniLM-L6-v2 ("bundled": English).':
        '{name} 无法微调：它不是包含 config.json 和 safetensors 权重的 BERT 系列模型文件夹。请改为'
        '从内置的多语言模型开始（“multilingual”：能读英文和中文），或从内置的 all-MiniLM-L6-v2 '
        '开始（“bundled”：英文）。',
    # core/embed/expand.py: the trainable copy of the multilingual model could not be written
    'Could not write the trainable copy of the multilingual model under {path} ({error}): it needs '
    'about 500 MB of free disk space there':
        '无法在 {path} 下写入多语言模型的可训练副本（{error}）：那里需要约 500 MB 的可用磁盘空间',
    # core/finetune/run.py: which model was trained and what "before" measures (the result's notes)
    'trained from {name}; "before" is the current model, {name2}':
        '从 {name} 开始训练；“之前”是当前模型 {name2}',
    # core/finetune/run.py, train.py: the phases the progress bar names
    'embedding the catalog with the current model':
        '用当前模型读取目录',
    'embedding the catalog with {name}, the model to train':
        '用要训练的模型 {name} 读取目录',
    'preparing the multilingual model for training':
        '准备多语言模型以供训练',
    'saving the model':
        '保存模型',
    'saving what the new model read of the catalog':
        '保存新模型对目录的读取结果',
    "finding confident pairs in the current model's lists":
        '在当前模型的列表中寻找有把握的商品对',
    'found {n} confident pairs (score >= {value})':
        '找到 {n} 个有把握的商品对（得分 >= {value}）',
    'validating: the lists after epoch {n}':
        '验证：第 {n} 轮之后的列表',
    'validating: the new model on the held-out pairs':
        '验证：新模型在留出商品对上的表现',
    'validating: fitting the same-product evidence for the new model':
        '验证：为新模型拟合同一商品证据',
    'validating: the lists at every hybrid weight':
        '验证：每个混合权重下的列表',
    'validating: fitting the 0..1 list scores for the new model':
        '验证：为新模型拟合 0..1 的列表得分',
    'mining hard negatives from the neighbour lists':
        '从相似商品列表中挖掘难负例',
    "mining hard negatives from the model's nearest neighbours":
        '从模型的最近邻中挖掘难负例',
    'training: epoch {n} of {n2}':
        '训练：第 {n} 轮，共 {n2} 轮',
    # core/finetune/calibrate.py, run.py: how the new model's scores were set (the result's notes)
    "same-product evidence: the bundled model's weights (no catalog texts or held-out catalog products "
    'to fit them on)':
        '同一商品证据：使用内置模型的权重（没有可用于拟合的目录文本或留出的目录商品）',
    "same-product evidence: the bundled model's weights ({n} held-out products; fitting them needs "
    '{n2})':
        '同一商品证据：使用内置模型的权重（留出商品 {n} 个；拟合需要 {n2} 个）',
    'score calibration: the held-out queries are not catalog products; the new model uses the bundled '
    "model's calibration (approximate)":
        '得分校准：留出的查询不是目录中的商品；新模型使用内置模型的校准（近似）',
    'score calibration fitted again on {n} held-out products with same-product evidence':
        '得分校准已在 {n} 个留出商品上重新拟合（含同一商品证据）',
    # core/workspace.py: an SQLite file (the embedding store, review decisions) that fails
    'The workspace database {path} cannot be used: the disk is full; free some space and try again':
        '无法使用工作区数据库 {path}：磁盘已满；请释放一些空间后重试',
    'The workspace database {path} cannot be used: the folder is read-only; make it writable or set '
    '$CATSIM_WORKSPACE to a writable folder (keep this file: it holds your review decisions)':
        '无法使用工作区数据库 {path}：文件夹是只读的；请让它可写，或把 $CATSIM_WORKSPACE 设为一个可写的'
        '文件夹（请保留此文件：其中保存着你的审核决定）',
    'The workspace database {path} cannot be used: it is damaged ({error}); keep a copy of it (it '
    'holds your review decisions) and recover it with: sqlite3 {path} .recover | sqlite3 '
    'recovered.db':
        '无法使用工作区数据库 {path}：文件已损坏（{error}）；请保留一份副本（其中保存着你的审核决定），'
        '并用以下命令恢复：sqlite3 {path} .recover | sqlite3 recovered.db',
    # core/finetune/run.py: the kept model's vectors of the catalog wait in the embedding store
    'the new model has read the catalog already ({n} different texts, kept in the workspace): its '
    'first lists do not read it again':
        '新模型对目录的读取结果（{n} 条不同的文本）已保存：用它生成的第一批列表无需再读取目录',
    '{part}; the new model will read the catalog once more for its first lists':
        '{part}；新模型生成第一批列表时会再读取一次目录',
    # core/finetune/card.py: where a fine-tuned model's own hybrid weight comes from (sidebar)
    'chosen for {name} on held-out pairs after fine-tuning':
        '微调后在留出商品对上为 {name} 选定',
    # core/export/results.py: the Open results page
    # (the command is the CLI's, kept as it is typed)
    "{path} is not a results folder (no manifest.json); give the folder written by '{command}'":
        "{path} 不是结果文件夹（没有 manifest.json）；请给出由 '{command}' 写入的文件夹",
    # audit-parity: core/config.py, a hand-edited settings file or one saved for another catalog
    '{name} must be a column name in quotes (or null), got {value}':
        '{name} 必须是加引号的列名（或 null），实际为 {value}',
    'text_columns must be a list of column names in quotes, e.g. ["title", "brand"], got {value}':
        'text_columns 必须是加引号的列名列表，例如 ["title", "brand"]，实际为 {value}',
    'model must be "bundled", "multilingual", a model folder or a Hugging Face id, in quotes, '
    'got {value}':
        'model 必须是加引号的 "bundled"、"multilingual"、模型文件夹或 Hugging Face 模型名，'
        '实际为 {value}',
    "The settings name columns this catalog does not have: {columns} (saved for another "
    "catalog?); the catalog's columns: {list}":
        "这些设置用到了本目录没有的列：{columns}（是为另一个目录保存的吗？）；本目录的列：{list}",
    # audit-photos2: a cell naming several photos (core/catalog/image_source.py)
    "holds {n} photos and none can be used: the first, '{name}', {part}":
        "含 {n} 张图片，没有一张能用：第一张“{name}”{part}",
    'names no photo':
        '没有写任何图片',
    "cannot be read: the zip holds {n} files, more than {n2}; make a zip of the catalog's "
    "photos only":
        '无法读取：zip 中有 {n} 个文件，超过 {n2} 个；请只把商品目录的图片打包进 zip',
    # photos-embed: a photo file that ends early (core/catalog/images.py TRUNCATED)
    'is cut short: the file ends before the picture does (an interrupted download or copy); '
    'download or save it again':
        '不完整：文件在图片结束之前就断了（下载或复制被中断）；请重新下载或保存',
    # photos-embed: what the exported score means (core/export/tables.py score_meaning)
    '0 = unrelated, 1 = the same text':
        '0 = 无关，1 = 文本相同',
    '0 = unrelated, 1 = the same text and the same photo; the score comes from the photos (the '
    'text only breaks ties), and a product without a photo is scored by its text':
        '0 = 无关，1 = 文本和图片都相同；得分来自图片（文本只用于区分同分），没有图片的商品按文本打分',
    '0 = unrelated, 1 = the same text and the same photo; {share} of the score comes from the '
    'photos, and a pair where one product has no photo is scored by its text alone':
        '0 = 无关，1 = 文本和图片都相同；得分中 {share} 来自图片，其中一个商品没有图片的一对只按文本打分',
    # walk-health: core/export/lists_file.py, a lists file opened on the Open results page
    "{name} is not a list of neighbours: it lacks {columns} (its columns: {found}). Open a file "
    "downloaded from the Export page (columns source_id, rank, neighbor_id, score), or the folder "
    "a nightly job wrote":
        "{name} 不是相似商品列表：缺少 {columns}（它的列：{found}）。请打开从“导出”页面下载的文件"
        "（列为 source_id、rank、neighbor_id、score），或夜间任务写入的文件夹",
    "{name} holds no list rows": "{name} 中没有列表行",
    "{name} cannot be read as JSON ({exc})": "{name} 无法按 JSON 读取（{exc}）",
    "{name} is not a list of neighbours: a JSON file from the Export page is a list of rows, each "
    "with source_id, rank, neighbor_id and score":
        "{name} 不是相似商品列表：从“导出”页面下载的 JSON 文件是由行组成的列表，每行都有 "
        "source_id、rank、neighbor_id 和 score",
    "{name}: the score of list row {n} is {value}, not a number; fix that row or download the "
    "lists again":
        "{name}：列表第 {n} 行的 score 是 {value}，不是数字；请改正这一行，或重新下载列表",
    "{name}: the rank of list row {n} is {value}, not a whole number from 1; fix that row or "
    "download the lists again":
        "{name}：列表第 {n} 行的 rank 是 {value}，不是从 1 开始的整数；请改正这一行，或重新下载列表",
    "{path} does not exist on the server: check the path (or upload a lists file)":
        "服务器上没有 {path}：请检查路径（或上传列表文件）",
    # walk-evaluate: labelled pairs that cannot be measured (core/quality/evaluate.py)
    "None of the pairs' ids are in the catalog (columns used: {left}, {right}; their ids: "
    "{ids}; the catalog's: {catalog_ids}): check the id column mapping (use row numbers if the "
    "file holds row numbers)":
        "这些商品对的编号都不在商品目录中（使用的列：{left}、{right}；其中的编号：{ids}；"
        "目录的编号：{catalog_ids}）：请检查编号列的选择（如果文件里是行号，请使用行号）",
    "Labelled pairs need columns left_id,right_id[,label] (or ltable_id,rtable_id); found: "
    "{columns}":
        "标注的商品对需要 left_id,right_id[,label] 列（或 ltable_id,rtable_id）；实际的列：{columns}",
    "Every label cell (column {column}) is empty: write 1 (same product) or 0 (different) in "
    "it, or remove the column if every pair is the same product":
        "所有标注单元格（{column} 列）都是空的：请填写 1（同一商品）或 0（不同商品），"
        "如果每一对都是同一商品，也可以删除这一列",
    "No labelled pair has label 1: retrieval metrics need at least one relevant pair":
        "没有标注为 1 的商品对：检索指标至少需要一对相关的商品",
    # walk-evaluate: a threshold needs pairs labelled different (core/quality/threshold.py)
    "The labelled pairs are all matches (label 1), none labelled 0 (different): any threshold "
    "under the lowest match's score would look perfect. Add pairs you know are different "
    "products, labelled 0 (the Review page's rejections, for example)":
        "标注的商品对全是匹配（标注 1），没有标注为 0（不同）的：低于最低匹配得分的任何阈值看起来都完美无缺。"
        "请加入您确知是不同商品的商品对，标注为 0（例如“审核”页中被拒绝的商品对）",
    # walk-photos: a spacer pixel is not a photo (core/catalog/images.py MIN_SIDE)
    "is only {n}x{n2} pixels, too small to show a product (a spacer or a 'no photo' mark?); use "
    "a photo at least {n3} pixels on each side":
        '只有 {n}x{n2} 像素，太小，显示不了商品（是占位图或“暂无图片”标记？）；'
        '请使用每边至少 {n3} 像素的图片',
    # polish-evaluate: a pairs file's third column that holds notes, not labels
    "The third column, {column}, is not read as labels (none of its cells is 1/0, yes/no or "
    "y/n): every pair counts as the same product. If it holds labels, write 1 (same product) "
    "or 0 (different) in it":
        "第三列 {column} 不作为标注读取（它的单元格中没有 1/0、yes/no 或 y/n）：每一对都算作同一商品。"
        "如果这一列是标注，请在其中填写 1（同一商品）或 0（不同商品）",
    # polish-evaluate: one pair of a Fine-tune pairs file, in the singular (English)
    '1 of {n2} pairs names ids that are not in the catalog ({list}); skipped':
        '{n2} 对中有 1 对用到了目录中没有的编号（{list}）；已跳过',
    '1 of {n2} pairs has an empty label (write 1 for the same product or 0 for different); '
    'skipped':
        '{n2} 对中有 1 对的标注为空（同一商品请填 1，不同商品请填 0）；已跳过',
    # polish-cli: a mistyped key of a settings file gets the key it looks like (core/config.py)
    'Unknown configuration key(s): {keys} (did you mean {guesses}?); known keys: {known}':
        '未知的配置项：{keys}（您是不是想写 {guesses}？）；已知的配置项：{known}',
    'Unknown rules key(s): {keys} (did you mean {guesses}?); known rules keys: {known}':
        '未知的规则项：{keys}（您是不是想写 {guesses}？）；已知的规则项：{known}',
}

# core.errors.short_list's tail ("a, b and 12 more") and the one name clean_controls adds.
LIST_MORE_ZH = "等另外 {n} 个"
LIST_WORDS_ZH = {"column names": "列名"}
