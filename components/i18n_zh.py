"""Chinese for every English text the interface passes to t() (components/i18n.py).

Keys are the English source texts exactly as written in the code; {name} fields are kept
as they are. tests/app/test_i18n.py checks that every literal given to t() or N_() is
here and that the fields match.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    # pages/catalog.py
    'Catalog':
        '商品目录',
    'Mapped catalog: {md_text}':
        '已映射的目录：{md_text}',
    'Text compared: {md_text} · id: {md_text2}':
        '用于比较的文本：{md_text} · 编号：{md_text2}',
    ' · model numbers compared: {md_text}':
        ' · 比较的型号列：{md_text}',
    "Next: see each product's neighbours":
        '下一步：查看每个商品的相似商品',
    '- {long_texts:,} texts are longer than the model reads; only their beginning is compared':
        '- {long_texts:,} 条文本超出模型的读取长度，只比较其开头部分',
    'Prepare the lists now':
        '现在准备列表',
    'row numbers':
        '行号',
    # pages/compare.py
    'Compare configurations':
        '比较配置',
    '**B differs from A in:** {md}':
        '**B 与 A 的不同之处：** {md}',
    'Mean overlap@{k}':
        '平均重合度@{k}',
    'Mean rank correlation':
        '平均排序相关性',
    'Biggest movers':
        '变化最大的商品',
    'One product, side by side':
        '单个商品，并排对照',
    'Choose what B changes and press Compare.':
        '选择 B 要修改的内容，然后点击“比较”。',
    # pages/evaluate.py
    'labels':
        '标注',
    'Labelled pairs or query judgements':
        '标注的商品对或查询评判',
    "CSV/Excel/Parquet; ids must match the catalog's id column":
        'CSV/Excel/Parquet；编号必须与目录的编号列一致',
    'Evaluate':
        '评估',
    'Upload **labelled pairs** (`left_id,right_id[,label]`) or **query judgements** (`query,product_id,'
    "grade`) to measure retrieval; without labels, measure how often neighbours share a column's value "
    '(category coherence).':
        '上传**标注的商品对**（`left_id,right_id[,label]`）或**查询相关性判断**（`query,product_id,grade`）'
        '来衡量检索效果；没有标注时，可衡量相似商品在某一列上取值相同的比例（类目一致性）。',
    'Neighbours with the same value, by column':
        '相似商品与本商品取值相同的比例（按列）',
    "How often a product's neighbours share its value in these columns (e.g. its category): no labels"
    ' needed.':
        '商品的相似商品在这些列（例如类目）上与它取值相同的频率：无需标注。',
    'List positions to score (k)':
        '要评分的列表位置（k）',
    'Recall@k: is a labelled match among the first k of the list? k = 1: in first place.':
        'Recall@k：标注的匹配商品是否在列表前 k 个之中？k = 1：排在第一位。',
    'Words-vs-meaning shares to compare':
        '要比较的“词与语义”比例（混合权重）',
    '0 = meaning only, 1 = words and model numbers only; your current setting is {w:g} (Advanced: hybri'
    'd_weight).':
        '0 = 只看语义，1 = 只看词和型号；你当前的设置是 {w:g}（侧边栏“高'
        '级”中的“精确的词和型号与语义的权衡”，设置文件：hybrid_weight）。',
    'Similarity measures to compare':
        '要比较的语义比较方式',
    "How two products' meaning vectors are compared (Advanced: metric); cosine is the default.":
        '两个商品的语义向量如何比较（侧边栏“高级”中的“语义如何比'
        '较”，设置文件：metric）；默认为夹角（cosine）。',
    'Other models to compare (comma-separated ids or folders)':
        '要比较的其他模型（以逗号分隔的模型名或文件夹）',
    'e.g. /models/fine-tuned':
        '例如 /models/fine-tuned',
    'Upload labels or choose a column for coherence, and at least one k.':
        '请上传标注，或选择一列来衡量一致性，并至少选一个 k。',
    '; {skipped:,} rows with ids not in the catalog skipped':
        '；跳过了 {skipped:,} 行编号不在目录中的记录',
    # pages/explain.py
    'Explain a match':
        '解释一次匹配',
    '**First product**':
        '**第一个商品**',
    'Second product':
        '第二个商品',
    '**Second product**':
        '**第二个商品**',
    'Choose two different products.':
        '请选择两个不同的商品。',
    # pages/export.py
    'Export':
        '导出',
    '**{n:,} products** · up to **{k}** neighbours each · **{entries:,}** rows in the file':
        '**{n:,} 个商品** · 每个最多 **{k}** 个相似商品 · 文件共 **{entries:,}** 行',
    'The first rows of the file:':
        '文件的前几行：',
    'Settings file for nightly runs':
        '用于夜间任务的设置文件',
    'Save every setting and rule to a small file; a scheduled job on the server makes the same lists fr'
    'om a fresh catalog without the app. Load one here to reuse a saved setup.':
        '把所有设置和规则保存成一个小文件；服务器上的定时任务无需打开本应用，就能用新的商品目录生成同样的列'
        '表。在这里加载一个文件即可复用保存的设置。',
    'Check your lists: who is never recommended, who is everywhere':
        '检查你的列表：哪些商品从未被推荐，哪些到处出现',
    'every list is full':
        '每个列表都是满的',
    'rules in force':
        '规则已生效',
    'no rules':
        '没有规则',
    'review decisions used: {accepted:,} accepted, {rejected:,} rejected':
        '已使用审核决定：接受 {accepted:,} 个，拒绝 {rejected:,} 个',
    'review decisions not used':
        '未使用审核决定',
    '.':
        '。',
    ", and the score range's name":
        '，以及得分区间的名称',
    'Check prices against similar products':
        '对照相似商品检查价格',
    # pages/finetune.py
    'Fine-tune the model':
        '微调模型',
    'Start fine-tuning':
        '开始微调',
    'Use the bundled model (all-MiniLM-L6-v2), which can be fine-tuned':
        '改用可以微调的内置模型（all-MiniLM-L6-v2）',
    # pages/groups.py
    'Groups':
        '分组',
    'Product groups':
        '商品分组',
    '{n_groups:,} groups ({method}) · {grouped_share:.1%} of products grouped · each group is named by '
    'its most distinctive words':
        '{n_groups:,} 个分组（{method}） · {grouped_share:.1%} 的商品已分组 · 每组以其最有区分度的词命名',
    'Show the groups on the map':
        '在地图上显示分组',
    'Duplicate groups':
        '重复商品分组',
    'Show the products of a group':
        '显示某个分组中的商品',
    # pages/health.py
    'List health':
        '列表健康度',
    "Is every product served, and fairly? 'Without rules' = each product's {k} most similar products; '"
    "with your rules' = the lists as exported: the rules set on the Neighbours page, with unrelated "
    "products hidden (so the two differ even with no rule set). Category and "
    "brand figures need those columns chosen on the Catalog page.":
        '每个商品都被推荐到了吗？推荐是否均衡？“不加规则” = 每个商品最相似的 {k} 个商品；“加上你的规则” = '
        '导出的列表：应用“相似商品”页面上的规则，并隐藏不相关的商品（所以即使没有设置规则，'
        '两列也会不同）。类目和品牌相关的数字需要先在“商品目录”页面选好这些列。',
    "How many products (up) appear in how many other products' lists (across). Products at 0 are never "
    'recommended; products far to the right are everywhere.':
        '有多少商品（纵轴）出现在多少个其他商品的列表中（横轴）。位于 0 的商品从未被推荐；越靠右的商品出现'
        '得越多。',
    'Back to the lists and their rules':
        '返回列表及其规则',
    'Recommended most often':
        '被推荐最多的商品',
    "In nobody's list: {orphans:,}":
        '不在任何列表中：{orphans:,}',
    'measure':
        '指标',
    # pages/heatmap.py
    'A product and its neighbours':
        '一个商品及其相似商品',
    'A category':
        '一个类目',
    'A search result':
        '一次搜索的结果',
    'Map selection':
        '地图上选中的商品',
    'Sent here: {label}':
        '发送到这里的：{label}',
    'Heatmap':
        '热力图',
    'Products to compare':
        '要比较的商品',
    'Overall score':
        '综合得分',
    'Meaning only':
        '仅语义',
    'Shared words and model numbers only':
        '仅共同的词和型号',
    '{n:,} products chosen; the heatmap shows the first {MAX_HEATMAP_ITEMS} (cap {MAX_HEATMAP_ITEMS}).':
        '已选择 {n:,} 个商品；热力图只显示前 {MAX_HEATMAP_ITEMS} 个（上限 {MAX_HEATMAP_ITEMS}）。',
    'Cells show':
        '格子显示',
    '{n} products, rows ordered by average-linkage clustering; hover a cell for both titles and the sco'
    're. ':
        '{n} 个商品，行按平均链接聚类排序；鼠标悬停在格子上可看到两个标题和得分。',
    'Choose at least two products.':
        '请至少选择两个商品。',
    'Map a category column on the Catalog page to use this.':
        '请先在“商品目录”页面映射类目列，才能使用此功能。',
    'Category':
        '类目',
    'Query':
        '查询',
    'Select products on the Map page (lasso or box) first.':
        '请先在“地图”页面（套索或框选）选择商品。',
    # pages/map.py
    'map selection ({n:,} products)':
        '地图选择（{n:,} 个商品）',
    'Map':
        '地图',
    'Dimensions':
        '维度',
    'Colour by':
        '着色依据',
    'Products shown (a random sample above this)':
        '显示的商品数（超过时随机抽样）',
    'Showing a random sample of {n:,} of {total:,} products.':
        '显示的是 {total:,} 个商品中随机抽取的 {n:,} 个。',
    'Selection works on the 2-D map.':
        '选择功能只在二维地图上可用。',
    'Selected: {n:,} products':
        '已选择：{n:,} 个商品',
    'Send the selection to the heatmap':
        '把选中的商品发送到热力图',
    'Draw a lasso or box on the 2-D map to select products.':
        '在二维地图上画套索或方框来选择商品。',
    # pages/neighbors.py
    '{product} + neighbours':
        '{product} + 相似商品',
    'Neighbours':
        '相似商品',
    "Each product's most similar products, most similar first. Pick a product to see its list; rules be"
    'low decide which products may appear.':
        '每个商品最相似的商品，按相似度从高到低排列。选择一个商品查看它的列表；下面的规则决定哪些商品可以出'
        '现。',
    "Every product's list":
        '每个商品的列表',
    'Next: export the lists':
        '下一步：导出列表',
    'Show this product and its neighbours on the heatmap':
        '在热力图上显示这个商品及其相似商品',
    ' Model: {model}. Change this under Advanced.':
        ' 模型：{model}。可在“高级”中修改。',
    'How the score is made: {how}':
        '得分的构成：{how}',
    'Or first check some pairs side by side (Review)':
        '或者先并排检查一些商品对（审核）',
    # pages/open_results.py
    'Open results':
        '打开结果',
    # pages/prices.py
    'median of similar':
        '相似商品中位价',
    'price / median':
        '价格 / 中位价',
    'how unusual':
        '异常程度',
    'flag':
        '标记',
    'Price check':
        '价格检查',
    'How unusual a price must be to be flagged':
        '价格异常到什么程度才标记',
    'Fewest similar products with a price needed':
        '至少需要多少个有价格的相似商品',
    '{checked:,} products checked against the median price of their lists (after rules) · {count:,} ove'
    'r-priced · {count2:,} under-priced':
        '已对照 {checked:,} 个商品所在列表（应用规则后）的价格中位数进行检查 · {count:,} 个价格偏高 · {coun'
        't2:,} 个价格偏低',
    'Back to the lists':
        '返回列表',
    'Map a price column on the Catalog page to check prices.':
        '请先在“商品目录”页面映射价格列，才能检查价格。',
    "Compared with how far prices usually are from their similar products' median price across this cat"
    'alog: 3 flags about the most unusual few percent; higher flags fewer. (A robust z-score of the pri'
    'ce ratio.)':
        '与本目录中价格通常偏离其相似商品价格中位数的程度相比：3 大约标出最异常的百分之几；数值越高，标出的'
        '越少。（价格比的稳健 z 分数。）',
    'Go to Catalog':
        '前往商品目录',
    # pages/review.py
    'Highest score first':
        '得分最高的优先',
    'Closest to the duplicate threshold first':
        '最接近重复阈值的优先',
    'Lowest score first':
        '得分最低的优先',
    'Random':
        '随机',
    'Review pairs':
        '审核商品对',
    'Is the product on the right a good neighbour for the one on the left? Pairs come from the current '
    "lists. Accepted pairs always appear in each other's lists, rejected pairs never; each decision is "
    'saved at once. Keys: a accept, x reject, s skip, u undo.':
        '右边的商品适合作为左边商品的相似商品吗？商品对来自当前的列表。接受的商品对总会出现在彼此的列表中，'
        '拒绝的则永远不会；每个决定都会立即保存。快捷键：a 接受，x 拒绝，s 跳过，u 撤销。',
    'Order':
        '顺序',
    'Every pair in the current lists has a decision.':
        '当前列表中的每个商品对都已有决定。',
    '**Score {score:.2f}**':
        '**得分 {score:.2f}**',
    ' · range *{band}*':
        ' · 区间 *{band}*',
    # pages/search.py
    'search: {query}':
        '搜索：{query}',
    'meaning part':
        '语义部分',
    'shared words part':
        '共同词部分',
    'Search':
        '搜索',
    'Describe what you are looking for':
        '描述你要找的商品',
    'Back to the neighbour lists':
        '返回相似商品列表',
    'e.g. wireless noise cancelling headphones, or a model number':
        '例如：无线降噪耳机，或一个型号',
    'Show what each score is made of':
        '显示每个得分的组成',
    'Show these results on the heatmap':
        '在热力图上显示这些结果',
    'Nothing in this catalog reads as close to what you describe: the best result scores {best:.2f} '
    '(below {loose:.2f} = loosely related, near 0 = unrelated). Try other words, a brand or a model '
    'number.':
        '目录中没有与您的描述接近的商品：最佳结果得分 {best:.2f}（低于 {loose:.2f} = 关系较弱，接近 0 = '
        '无关）。请换个说法，或试试品牌或型号。',
    'Search reads {read} only. To search {unread} too, add it to the text columns on the Catalog page '
    '(the neighbour lists then read it too).':
        '搜索只读取 {read}。若也要搜索 {unread}，请在“商品目录”页把它加入文本列'
        '（相似商品列表也会随之读取它）。',
    ' Only {read} is searched: {unread} may say it in other words; add it to the text columns on '
    'the Catalog page.':
        '目前只搜索 {read}：{unread} 可能用别的说法写了它；请在“商品目录”页把它加入文本列。',
    'Leave out other colours and sizes of the same product':
        '排除同一商品的其他颜色和尺码',
    'Products whose titles differ only in colour or size ("T-Shirt - Black / S", "T-Shirt - Navy / M") '
    "are one product to a shopper, who picks the colour and size on its page. Ticked, a list leaves out "
    "the product's own colours and sizes and shows one of each other product. A book's formats "
    "(paperback, hardcover, e-book) count as its sizes. Pack sizes and "
    "capacities stay (a 330 ml can and a 1.5 l bottle, a 32GB and a 64GB drive): a list may offer "
    'them. Products your catalog puts in one variant group (a column item_group_id, group_id, '
    'parent_sku or SPU) are one product too, whatever their titles. Settings file: '
    '`rules.leave_out_variants`.':
        '标题只在颜色或尺码上不同的商品（“T恤 - 黑色 / S”“T恤 - 藏青色 / M”）对顾客来说是同一件商品，'
        '颜色和尺码在商品页上选。勾选后，列表会排除该商品自己的其他颜色和尺码，其他商品各只显示一个。'
        '图书的不同装帧（平装、精装、电子书）算作其尺码。'
        '包装规格和容量不受影响（330 毫升罐装和 1.5 升瓶装、32GB 和 64GB 的 U 盘）：列表可以推荐它们。'
        '目录中归入同一变体组的商品（item_group_id、group_id、parent_sku 或 SPU 列）也算同一件商品，'
        '不论标题如何。设置文件：`rules.leave_out_variants`。',
    'other colours and sizes of the product':
        '该商品的其他颜色和尺码',
    '{share:.0%} of the entries in these lists are the product itself in another colour, size or '
    'format. To list other products instead, tick “{label}” under Rules for the lists.':
        '这些列表中 {share:.0%} 的条目是该商品本身的其他颜色、尺码或装帧。'
        '若要改为列出其他商品，请在“列表规则”中勾选“{label}”。',
    'Searches {n:,} products. {how}':
        '在 {n:,} 个商品中搜索。{how}',
    "Score: {scale}. Meaning part: how close the texts' meanings are (0 to 1); shared words part: how m"
    'any words and model numbers they share (0 = none, 1 = the same).':
        '得分：{scale}。语义部分：文本含义有多接近（0 到 1）；共同词部分：共有多少词和型号（0 = 没有，1 = '
        '完全相同）。',
    # pages/threshold.py
    'calibration pairs':
        '校准商品对',
    'Labelled pairs (left_id,right_id,label) to calibrate on':
        '用于校准的标注商品对（left_id,right_id,label）',
    'label 1 = same product, 0 = different':
        '标签 1 = 同一商品，0 = 不同商品',
    'Optional: a second labelled file to check the threshold on':
        '可选：另一个标注文件，用来检验阈值',
    'measured only; the threshold is never chosen on it':
        '只用于衡量；阈值从不在它上面选择',
    'Duplicate threshold':
        '重复阈值',
    # components/advanced.py
    'Angle (recommended)':
        '夹角（推荐）',
    'Dot product':
        '点积',
    'Straight distance':
        '直线距离',
    'Grid distance':
        '网格距离',
    'Automatic (recommended)':
        '自动（推荐）',
    'Full (slowest)':
        '完整精度（最慢）',
    'Half (bfloat16)':
        '半精度（bfloat16）',
    'Half (graphics card)':
        '半精度（显卡）',
    'Fast CPU engine':
        '快速 CPU 引擎',
    'Exact, always':
        '始终精确',
    'Fast approximate, always':
        '始终快速近似',
    'Fine-tuned: {name}':
        '微调后：{name}',
    'Built-in (English)':
        '内置（英文）',
    'Built-in multilingual (Chinese and 100 languages)':
        '内置多语言（中文及约 100 种语言）',
    'Another model…':
        '其他模型…',
    'Language model':
        '语言模型',
    'Model name or folder':
        '模型名称或文件夹',
    'Other multilingual or Chinese models (downloaded once where there is internet): {models}':
        '其他多语言或中文模型（需在有网络的地方下载一次）：{models}',
    'How meaning is compared':
        '语义如何比较',
    'Column weights for word matching':
        '按列设置词匹配的权重',
    'Calculation precision':
        '计算精度',
    'Search method':
        '搜索方式',
    'Photos vs text':
        '图片 与 文本',
    'Photo model':
        '图片模型',
    'The model that reads your product texts. Both built-in models work offline. The English one (all-M'
    'iniLM-L6-v2) is the fastest; the multilingual one (multilingual-e5-small) reads Chinese, English, '
    "mixed catalogs and about 100 languages, and finds an English title's Chinese twin; it is about 3x "
    'slower. A Chinese catalog gets the multilingual one by default. Settings file and command line: `m'
    'odel`.':
        '读取商品文本的模型。两个内置模型都可离线使用。英文模型（all-MiniLM-L6-v2）最快；多语言模型（multil'
        'ingual-e5-small）能读中文、英文、混合语言目录以及约 100 种语言，还能为英文标题找到对应的中文商品；'
        '它大约慢 3 倍。中文目录默认使用多语言模型。设置文件和命令行：`model`。',
    'A Hugging Face model name or a folder on this computer.':
        'Hugging Face 上的模型名称，或本机上的一个文件夹。',
    "How two texts' meanings are compared. The recommended one (cosine) is what the built-in model was "
    'trained for; the others are for special models. Settings file and command line: `metric`.':
        '如何比较两段文本的语义。推荐的方式（余弦）是内置模型训练时所用的；其他方式适用于特殊模型。设置文件'
        '和命令行：`metric`。',
    'Exact words and model numbers vs meaning':
        '精确的词和型号与语义的权衡（混合权重）',
    "This model's own weight: {hybrid_weight:g} ({source}); move the slider to override it.":
        '这个模型自带的权重：{hybrid_weight:g}（{source}）；移动滑块可覆盖它。',
    "How much each column's words count when shared words are compared. The product text columns count "
    '1 by default, other columns 0 (not used); 0 leaves a column out. Settings file: `field_weights`; c'
    'ommand line: `--field-weights`.':
        '比较共同词时每一列的词占多大分量。商品文本列默认为 1，其他列为 0（不使用）；设为 0 即不使用该列。'
        '设置文件：`field_weights`；命令行：`--field-weights`。',
    'Automatic reads products the fastest way this computer allows: half precision on a graphics card;'
    ' without one, full precision, through the fast CPU engine on processors where that is faster (AMD'
    ' and others: 1.1x to 3x, most when the computer is busy; Intel: no faster). The results are the'
    ' same either way. Settings file and command line: `precision`.':
        '“自动”按这台电脑最快的方式读取商品：有显卡时使用半精度；没有显卡时使用完整精度，'
        '并在快速 CPU 引擎更快的处理器上使用它（AMD 等：快 1.1 到 3 倍，电脑繁忙时最明显；Intel：不更快）。'
        '两种方式结果相同。'
        '设置文件和命令行：`precision`。',
    'Automatic compares every product with every other (exact) up to 200,000 products and uses a fast a'
    'pproximate graph (HNSW) above, with exact scores for what it finds. Exact, always: slow for very l'
    'arge catalogs; fast approximate: may miss a few neighbours. Settings file and command line: `index'
    '`.':
        '“自动”在 200,000 个商品以内逐一比较每两个商品（精确），超过时使用快速近似图（HNSW），并对找到的结'
        '果计算精确得分。“始终精确”：目录很大时很慢；“始终快速近似”：可能漏掉少数相似商品。设置文件和命令行'
        '：`index`。',
    'Advanced':
        '高级',
    'This computer has no graphics card: products cannot be read with this choice here (it is for a '
    'settings file run on one). Choose Automatic to read them on this computer.':
        '这台电脑没有显卡：在这里无法用这个选项读取商品（它是给在有显卡的电脑上运行的设置文件用的）。'
        '要在这台电脑上读取，请选择“自动”。',
    'This computer has a graphics card, where products are read, and the fast CPU engine cannot run '
    'there. Choose Automatic to read them on this computer.':
        '这台电脑有显卡，商品在显卡上读取，而快速 CPU 引擎不能在显卡上运行。'
        '要在这台电脑上读取，请选择“自动”。',
    'Technical settings. The defaults were measured on labelled catalogs; most shops never change them.':
        '技术设置。默认值都是在标注过的商品目录上测出来的；大多数店铺无需修改。',
    'How much the product photos count against the text. 0 = text only; 1 = photos only (a product '
    'without a photo is still listed by its text); in between, both are fused. Photos are read once (a '
    'few per second on a CPU). Settings file and command line: `image_weight`.':
        '商品图片相对于文本的分量。0 = 只看文本；1 = 只看图片（没有图片的商品仍按文本列出）；'
        '介于两者之间时两者融合。每张图片只读取一次（'
        'CPU 上每秒几张）。设置文件和命令行：`image_weight`。',
    'bundled = EfficientNet-lite0 (offline); or a local CLIP folder, which also lets Search find photos'
    ' by words. Settings file and command line: `image_model`.':
        'bundled = EfficientNet-lite0（离线）；或本机上的 CLIP 文件夹，它还能让“搜索”用文字找到图片。设置文'
        '件和命令行：`image_model`。',
    'How much shared words and model numbers count against meaning. 0 = meaning only, 1 = shared words '
    'only. Default {DEFAULT_HYBRID_WEIGHT:g}: it found the same product most often on the labelled test'
    ' catalogs (Abt-Buy, walmart-amazon). A Chinese catalog starts at 0.5 with the multilingual model ('
    'measured on Chinese product titles). Lower it when you want related products rather than twins. Se'
    'ttings file and command line: `hybrid_weight`.':
        '共同的词和型号相对于语义的分量。0 = 只看语义，1 = 只看共同词。默认 {DEFAULT_HYBRID_WEIGHT:g}：在标'
        '注的测试目录（Abt-Buy、walmart-amazon）上，它最常找到同一商品。中文目录使用多语言模型，从 0.5 开始'
        '（在中文商品标题上测得）。如果你想要相关商品而不是完全相同的商品，可以调低。设置文件和命令行：`hyb'
        'rid_weight`。',
    # components/catalog_form.py
    'Choose one or more':
        '选择一项或多项',
    'Brand':
        '品牌',
    'Price':
        '价格',
    'Image':
        '图片',
    'Model number':
        '型号',
    ("The maker's model number or part number (MPN), or a barcode (EAN, UPC, GTIN, ISBN), not "
     "your own SKU. Two products whose numbers differ are never scored as the same product (a "
     "colour or size of one model usually has its own number), and equal ones count as the "
     "same product."):
        '厂商的型号或零件号（MPN），或商品条码（EAN、UPC、GTIN、ISBN），不是你店铺自己的货号（SKU）。'
        '编号不同的两个商品永远不会被评为同一商品（同一型号的不同颜色或尺寸通常有各自的编号），'
        '编号相同的则算作同一商品。',
    'Stop and show them':
        '停止并显示出来',
    'Keep the first':
        '保留第一个',
    'Keep all, numbering the copies':
        '全部保留，给副本编号',
    'Automatic (from the texts)':
        '自动（根据文本判断）',
    'English':
        '英文',
    'Chinese':
        '中文',
    'Back to the demo catalog':
        '返回示例目录',
    'Upload your catalog (CSV, Excel, LibreOffice, Parquet, or a product feed: XML or JSON)':
        '上传你的商品目录（CSV、Excel、LibreOffice、Parquet，或商品数据源：XML 或 JSON）',
    '**The first lines of the file, exactly as they are:**':
        '**文件的前几行，原样显示：**',
    'Sheet ({n} in this workbook)':
        '工作表（此工作簿共 {n} 个）',
    'Mapped {n:,} products.':
        '已映射 {n:,} 个商品。',
    'Catalog language':
        '目录语言',
    'detected':
        '自动检测',
    'set by you':
        '由你设置',
    'Language {detected}: {describe}':
        '语言（{detected}）：{describe}',
    '(no lines)':
        '（没有任何行）',
    'Delimiter':
        '分隔符',
    'Encoding':
        '编码',
    'First line is column names':
        '第一行是列名',
    'Read anyway (rows that do not fit are skipped and listed)':
        '仍然读取（不符合的行会被跳过并列出）',
    'Read the file again':
        '重新读取文件',
    'Duplicate ids found: review the mapping below and choose how to handle them.':
        '发现重复的编号：请检查下面的映射并选择如何处理。',
    '**Which column holds what**':
        '**哪一列是什么**',
    'Id column':
        '编号列',
    'Text columns, in order':
        '文本列（按顺序）',
    'When an id appears twice':
        '同一编号出现两次时',
    'Use these columns':
        '使用这些列',
    'Chooses the model and hybrid weight, unless you set them in the sidebar':
        '决定默认的模型和混合权重，除非你在侧边栏中自己设置了它们',
    'Chosen for a catalog in {name}: model {model}, hybrid weight {hybrid_weight:g}. Change them in the'
    ' sidebar.':
        '已按{name}目录选择：模型 {model}，混合权重 {hybrid_weight:g}。可在侧边栏中修改。',
    'The demo shop is open now.':
        '当前打开的就是示例店铺。',
    'Leave your catalog and open the demo shop (2,554 products).':
        '离开你的目录，打开示例店铺（2,554 个商品）。',
    'Choose the columns below: {md_text}':
        '请在下面选择列：{md_text}',
    'The columns that describe the product (title first, then e.g. description). Their text is what is '
    'compared.':
        '描述商品的列（先标题，再如描述）。比较的就是这些列的文本。',
    'The catalog loaded before ({md_text}) is still in use.':
        '之前加载的目录（{md_text}）仍在使用中。',
    # components/embedding.py
    'Ready: {n:,} products ({new:,} new texts read by the model in {s:.1f} s; {reused:,} products kept'
    ' from before).':
        '就绪：{n:,} 个商品（模型读取了 {new:,} 条新文本，用时 {s:.1f} 秒；'
        '{reused:,} 个商品沿用之前的结果）。',
    'Ready: {n:,} products, all read by the model before.':
        '就绪：{n:,} 个商品，模型之前都已读取过。',
    'Ready: {n:,} products read by the model ({s:.1f} s).':
        '就绪：模型已读取 {n:,} 个商品（{s:.1f} 秒）。',
    'Cancel':
        '取消',
    'Finding neighbours of {n:,} products…':
        '正在为 {n:,} 个商品查找相似商品…',
    'about {s:.0f} s expected':
        '预计约 {s:.0f} 秒',
    '{done:,} / {total:,} tiles':
        '{done:,} / {total:,} 块',
    # components/finetune_panel.py
    'starting':
        '正在开始',
    'cancelling…':
        '正在取消…',
    ' · step {done:,} of {total:,}':
        ' · 第 {done:,} / {total:,} 步',
    'Why this score?':
        '为什么是这个分数？',
    'Opens Explain a match on this pair: what the meaning, the shared words and the '
    'same-product evidence each add.':
        '在“解释一次匹配”页打开这一对商品：语义、共同的词和同一商品证据各加了多少分。',
    'Why is this product in the list?':
        '为什么这个商品在列表里？',
    'Explain its score':
        '解释它的分数',
    'See the neighbour list of':
        '查看以下商品的相似商品列表',
    'Show its neighbours':
        '显示它的相似商品',
    'The product with the model number “{number}” comes first, scored 1: the product you named '
    '(model numbers are compared in lower case, letters and digits only).':
        '型号为“{number}”的商品排在最前，分数为 1：即您指名的商品'
        '（型号比较时不分大小写，只看字母和数字）。',
    'The {n:,} products with the model number “{number}” come first, scored 1: the products you '
    'named (model numbers are compared in lower case, letters and digits only).':
        '型号为“{number}”的 {n:,} 个商品排在最前，分数为 1：即您指名的商品'
        '（型号比较时不分大小写，只看字母和数字）。',
    ' · {share:.0%} read':
        ' · 已读 {share:.0%}',
    'Fine-tuning (from {model}): {status}':
        '正在微调（基于 {model}）：{status}',
    'lists':
        '列表',
    'words vs meaning':
        '词语与语义',
    'before (current model)':
        '之前（当前模型）',
    'after (fine-tuned)':
        '之后（微调后）',
    'model':
        '模型',
    'current model':
        '当前模型',
    'fine-tuned, current weight':
        '微调后，当前比重',
    'fine-tuned, chosen weight':
        '微调后，选出的比重',
    'Labelled data':
        '标注数据',
    'Add self-supervised pairs built from the catalog (works without labels)':
        '加入从目录自动构造的自监督商品对（无需标注）',
    'Training precision (--train-precision)':
        '训练精度（--train-precision）',
    'Result':
        '结果',
    '{train_pairs:,} pairs · {steps:,} steps (passes over the pairs: {epochs_run}) · '
    '{train_seconds:.0f} s training':
        '{train_pairs:,} 个商品对 · {steps:,} 步（训练轮数：{epochs_run}） · 训练 {train_seconds:.0f} 秒',
    'Pairs: a file with left_id,right_id[,label] (1 = same product or good neighbour, 0 = not). Review '
    'decisions: accepted / rejected pairs from the review page.':
        '商品对：一个 left_id,right_id[,label] 的文件（1 = 同一商品或合适的相似商品，0 = 不是）。审核决定：'
        '审核页面上接受/拒绝的商品对。',
    'Pairs file (CSV, Excel, Parquet)':
        '商品对文件（CSV、Excel、Parquet）',
    '{n:,} review decisions for this catalog ({n_positive:,} accepted).':
        '此目录有 {n:,} 条审核决定（其中 {n_positive:,} 条为接受）。',
    'Two views of the same product: its text <-> its description, a brand + model-number view, or a noi'
    'sy copy of its title.':
        '同一商品的两种视图：文本 <-> 描述、品牌 + 型号视图，或标题的带噪副本。',
    '{train:,} training pairs · {valid:,} held-out validation queries':
        '{train:,} 个训练商品对 · {valid:,} 个预留的验证查询',
    'auto: bf16 where the hardware has bf16 arithmetic, else fp32':
        'auto：硬件支持 bf16 运算时用 bf16，否则用 fp32',
    '**The neighbour lists** (on {n:,} held-out products, before and after)':
        '**相似商品列表**（在 {n:,} 个预留的商品上，微调前后）',
    '**The model alone** (meaning only, on {n:,} held-out products)':
        '**仅模型本身**（只看语义，在 {n:,} 个预留的商品上）',
    "Saved as {name} in the workspace's models folder; it is now in the Model picker of the sidebar.":
        '已保存为 {name}，位于工作区的 models/ 文件夹中；现在可以在侧边栏的模型选择中找到它。',
    'Use the new model':
        '使用新模型',
    ' (held-out views: a weaker check than labels)':
        '（预留的视图：比标注弱的检验）',
    'Fine-tuning was cancelled; nothing was saved.':
        '微调已取消；没有保存任何内容。',
    # components/guide.py
    '**Welcome. From your catalog to neighbour lists in three steps, with an optional check on the way:'
    '**':
        '**欢迎。从商品目录到相似商品列表只需三步，中间还可以选择检查一下：**',
    'Your work is saved as you go: reload the page or come back later with the same address and it is s'
    'till here. Technical settings are under Advanced in the sidebar; most shops never change them.':
        '你的工作会随时保存：刷新页面，或以后用同一个地址回来，它都还在。技术设置在侧边栏的“高级”中；大多数'
        '店铺无需修改。',
    'Got it':
        '知道了',
    'Words used on this page':
        '本页用到的词',
    # components/health_view.py
    'Products with a full list of {k}':
        '列表满 {k} 个的商品',
    'Average list length':
        '平均列表长度',
    "Products in nobody's list":
        '不在任何列表中的商品',
    'List places taken by the 1% most recommended products':
        '被推荐最多的 1% 商品所占的列表位置',
    'Most lists a single product appears in':
        '单个商品最多出现在多少个列表中',
    'Unevenness (0 = all equally often, 1 = one product everywhere)':
        '不均衡度（0 = 出现次数都相同，1 = 一个商品到处出现）',
    "Neighbours from the product's own category":
        '与该商品同一类目的相似商品',
    'Share of a list taken by its most common brand':
        '列表中最常见品牌所占的比例',
    'without rules':
        '不加规则',
    'with your rules':
        '加上你的规则',
    # components/i18n.py
    ', ':
        '、',
    'match':
        '重复分',
    'lexical':
        '共同词得分',
    'cosine':
        '余弦',
    'dot':
        '点积',
    'euclidean':
        '直线距离',
    'manhattan':
        '网格距离',
    'Japanese':
        '日文',
    'Korean':
        '韩文',
    'Cyrillic script (Russian, Ukrainian...)':
        '西里尔字母（俄文、乌克兰文等）',
    'Greek':
        '希腊文',
    'Arabic script (Arabic, Persian...)':
        '阿拉伯字母（阿拉伯文、波斯文等）',
    'Hebrew':
        '希伯来文',
    'Thai':
        '泰文',
    'an Indian script (Hindi, Bengali...)':
        '印度文字（印地文、孟加拉文等）',
    'mixed languages':
        '多种语言混合',
    'unknown (no letters)':
        '未知（没有文字）',
    '{name} ({share:.0%} of the {n:,} texts checked)':
        '{name}（检查的 {n:,} 条文本中占 {share:.0%}）',
    'all pairs':
        '所有商品对',
    'same product (1)':
        '同一商品（1）',
    'different (0)':
        '不同商品（0）',
    'duplicate score':
        '重复分',
    'pairs':
        '商品对',
    'threshold (duplicate score)':
        '阈值（重复分）',
    'value':
        '数值',
    'precision':
        '精确率',
    'recall':
        '召回率',
    'f1':
        'F1',
    'configuration':
        '配置',
    'in line':
        '正常',
    'over-priced':
        '价格偏高',
    'under-priced':
        '价格偏低',
    'median price of similar products':
        '相似商品的价格中位数',
    'price':
        '价格',
    'products':
        '商品数',
    "appears in this many other products' lists":
        '出现在多少个其他商品的列表中',
    'your lists':
        '你的列表',
    '%{y} products appear in %{x} lists<extra></extra>':
        '%{y} 个商品出现在 %{x} 个列表中<extra></extra>',
    'threshold {value}':
        '阈值 {value}',
    # components/persist.py
    'Your saved work is back: catalog, columns, settings and rules.':
        '你保存的工作已恢复：商品目录、列、设置和规则。',
    'Start over':
        '重新开始',
    'Forget your catalog, settings, rules and review decisions, and open the demo catalog with the guid'
    'e?':
        '要忘掉你的商品目录、设置、规则和审核决定，并打开带引导的示例目录吗？',
    'Yes, start over':
        '是的，重新开始',
    'Your saved work could not be opened again ({exc}); the demo catalog is open instead.':
        '无法重新打开你保存的工作（{exc}）；已改为打开示例目录。',
    # components/photos.py
    'Photos: {shown:,} of {n:,} products have a usable photo.':
        '图片：{n:,} 个商品中有 {shown:,} 个有可用的图片。',
    '**Photos**':
        '**图片**',
    '(no photo)':
        '（无图片）',
    'None of these products has a photo to show.':
        '这些商品都没有可显示的图片。',
    "Photos at web addresses are shown only when 'Download photos from web addresses' is on "
    "(Catalog page).":
        '网址上的图片只有在打开“从图片列中的网址（http/https）下载图片”后才会显示（“商品目录”页面）。',
    'No product has a photo in the image column.':
        '图片列中没有任何商品的图片。',
    '{n:,} products name a photo file: upload the photos as a .zip above.':
        '{n:,} 个商品写了图片文件名：请在上方把图片打包成 .zip 上传。',
    '{found:,} of {files:,} photo files found in the zip; {empty:,} products have no photo.':
        '{files:,} 个图片文件中有 {found:,} 个在 zip 中找到；{empty:,} 个商品没有图片。',
    '{n:,} photo files cannot be used':
        '{n:,} 个图片文件无法使用',
    'The first {n:,} are listed.':
        '只列出前 {n:,} 个。',
    '{n:,} products give a web address: downloaded when the lists are made.':
        '{n:,} 个商品给的是网址：生成列表时下载。',
    '{n:,} products give a web address: not downloaded and not shown while the box above is off.':
        '{n:,} 个商品给的是网址：上方的选项关闭时，不下载也不显示。',
    'The lists do not use the photos yet: raise *Photos vs text* (Advanced, in the sidebar) above 0.':
        '列表还没有使用图片：请把侧边栏“高级”中的 *图片 与 文本* 调到 0 以上。',
    'Photos in use: the .zip uploaded before. Upload another one above to replace it.':
        '正在使用之前上传的照片 .zip。在上方上传另一个即可替换。',
    'Stop using these photos':
        '不再使用这些照片',
    'Photos as a .zip (file names as in the image column)':
        '图片的 .zip 压缩包（文件名与图片列中一致）',
    'Download photos from web addresses (http/https) in the image column':
        '从图片列中的网址（http/https）下载图片',
    'Same photo':
        '相同图片',
    'Photo similarity from which two photos are the same picture':
        '两张图片被视为同一张图的图片相似度',
    '{n:,} pairs of products share a photo ({int:,} the very same file).':
        '{n:,} 对商品共用一张图片（其中 {int:,} 对是完全相同的文件）。',
    'photo':
        '图片',
    'First {GRID_MAX} of {n:,} products shown.':
        '显示前 {GRID_MAX} 个，共 {n:,} 个商品。',
    'Off by default. Only public addresses; at most 20 MB and 40 million pixels per photo; kept in the '
    'workspace.':
        '默认关闭。只访问公开地址；每张图片最多 20 MB、4000 万像素；保存在工作区中。',
    '0.80 keeps most resized, recompressed and cropped copies (bench/image_variants.py); 1.00 = the ver'
    'y same file only':
        '0.80 能保留大多数缩放、重新压缩和裁剪过的副本（bench/image_variants.py）；1.00 = 只认完全相同的文'
        '件',
    'Find products that share a photo':
        '查找共用图片的商品',
    '{n:,} photos skipped':
        '跳过了 {n:,} 张图片',
    'Photos {done:,} / {total:,} ({v:.0f} s)':
        '图片 {done:,} / {total:,}（{v:.0f} 秒）',
    'Reads every photo once (a few per second on a CPU)':
        '每张图片读取一次（CPU 上每秒几张）',
    'Photos are not searched by words with the bundled image model (a CLIP folder as Photo model does t'
    'hat); results rank by their text':
        '使用内置图片模型时，无法用文字搜索图片（把 CLIP 文件夹设为图片模型即可）；结果按文本排序',
    # components/quality_explain.py
    '**Shared words and model numbers** are marked {OPEN} {CLOSE}:':
        '**共同的词和型号** 用 {OPEN} {CLOSE} 标出：',
    '**Per field**':
        '**按字段**',
    '**Same-product evidence**: what the two texts (and prices) say about being the very same '
    'product (a shared model code raises the score; different models of one series, sizes, '
    "colours, years, editions (a language, a console, men's or women's) or platforms, a "
    'remanufactured copy, or prices more than twice apart, keep it from reading as the same '
    'product).':
        '**同款证据**：两段文字（及价格）能说明它们是否为同一件商品（相同型号会提高得分；同一系列的不同型号，'
        '尺寸、颜色、年份、版别（语言、游戏机、男款或女款）或平台不同，一方为翻新/兼容品，'
        '或价格相差两倍以上，则不会让它被算作同一件商品）。',
    'evidence':
        '证据',
    'effect on the score':
        '对得分的影响',
    'same-product evidence':
        '同款证据',
    "how far the two are from being each other's best match (a pair unrelated in meaning counts as far)":
        '两者离“互为最佳匹配”还差多少（含义上不相关的一对算作相差很远）',
    "how far ahead of (or behind) the first product's other candidates "
    "(a pair unrelated in meaning counts as behind)":
        '领先（或落后）第一个商品其他候选的幅度（含义上不相关的一对算作落后）',
    'the same model code':
        '型号相同',
    'different model codes of one series (cs3 against cs4), or different model numbers':
        '同一系列的不同型号（cs3 与 cs4），或型号栏不同',
    'different sizes or capacities, or other parts of a series (season 3 against season 4)':
        '尺寸或容量不同，或同一系列的不同部分（第 3 季与第 4 季）',
    'different colours':
        '颜色不同',
    'prices far apart (one more than twice the other)':
        '价格相差很大（一个是另一个的两倍以上）',
    'one is remanufactured, compatible or used, the other is not':
        '一方为翻新、兼容或二手商品，另一方不是',
    ('different years, versions or editions (Home against Professional, an upgrade against the '
     "full product, Spanish against French, a Wii game against a PS3 one, men's against "
     "women's), or Mac against Windows"):
        ('年份、版本或版别不同（如家庭版与专业版、升级版与完整版、西班牙语版与法语版、'
         'Wii 游戏与 PS3 游戏、男款与女款），或 Mac 与 Windows 版本之分'),
    'the same text (scores 1)':
        '文字完全相同（得分为 1）',
    'held back what the rest of the evidence added':
        '抵消了其他证据所加的分',
    'nothing to hold back: the rest of the evidence did not raise the score, so it cannot read '
    'as the same product anyway':
        '没有可抵消的：其他证据没有提高分数，所以本来就不会被当成同一商品',
    'What the differences did: {note}.':
        '这些差异起的作用：{note}。',
    # components/quality_threshold.py
    'On the calibration pairs':
        '在校准商品对上',
    'On the held-out pairs':
        '在留出的商品对上',
    'threshold':
        '阈值',
    '**{title}** ({pairs:,} pairs, {positives:,} positive)':
        '**{title}**（{pairs:,} 个商品对，{positives:,} 个正例）',
    'Threshold (the F1-best one is preselected)':
        '阈值（已预选 F1 最高的那个）',
    'Save threshold to the configuration':
        '把阈值保存到配置中',
    'Download configuration (JSON)':
        '下载配置（JSON）',
    'Sample pairs per score band':
        '每个得分区间的示例商品对',
    '**Per-category thresholds** (categories with enough labelled pairs; the others use the global thre'
    'shold)':
        '**按类目的阈值**（标注商品对足够多的类目；其余类目使用全局阈值）',
    "duplicate_threshold = {duplicate_threshold} saved to this session's configuration":
        'duplicate_threshold = {duplicate_threshold} 已保存到本会话的配置中',
    '{low:.2f} – {high:.2f}: {count:,} pairs':
        '{low:.2f} – {high:.2f}：{count:,} 个商品对',
    # components/quality_widgets.py
    'Split used: the uploaded {kind} file, all rows. It is only measured — nothing is trained or tuned '
    'on it. Keep a second labelled file aside to check a threshold chosen here.':
        '所用数据：上传的 {kind} 文件，全部行。它只用于衡量，不会用它训练或调参。请另留一份标注文件，用来检'
        '验在这里选出的阈值。',
    'Embedding with {model}…':
        '正在用 {model} 读取…',
    'Embedding with {model}: {done:,} / {total:,}':
        '正在用 {model} 读取：{done:,} / {total:,}',
    # components/quality_explain.py: a price column left out of the scores
    'Prices are not compared in this catalog: its price column prices products with one '
    'model number far apart (the Catalog page says more).':
        '此目录不比较价格：其价格列中同一型号商品的价格相差很大（详见“商品目录”页）。',
    # pages/catalog.py, pages/prices.py: the price column check
    'Comparing the prices of products with the same model number…':
        '正在比较同一型号商品的价格…',
    # components/resources.py
    "Scoring every product's best candidates…":
        '正在为每个商品的最佳候选打分…',
    'Indexing words and model numbers…':
        '正在索引词和型号…',
    'Finding neighbours…':
        '正在查找相似商品…',
    # components/results_view.py
    '{products:,} products · top {k} · {metric} · {count:,} list rows · written {created} by the {engin'
    'e} engine':
        '{products:,} 个商品 · 前 {k} 个 · {metric} · {count:,} 行列表 · 由 {engine} 引擎于 {created} 写入',
    'Find products (part of an id or title)':
        '查找商品（编号或标题的一部分）',
    'Rows per page':
        '每页行数',
    'Page (of {pages:,})':
        '页码（共 {pages:,} 页）',
    'Open':
        '打开',
    'Advanced: how these lists were made':
        '高级：这些列表是如何生成的',
    'Rows {first:,}-{last:,} of {total:,}':
        '第 {first:,}-{last:,} 行，共 {total:,} 行',
    '**Export** the lists shown (every page, this filter)':
        '**导出**显示的列表（所有页，此筛选）',
    '**Export** the lists shown (every page)':
        '**导出**显示的列表（所有页）',
    'No map in this folder (add --map when writing it).':
        '此文件夹中没有地图（写入时加上 --map）。',
    '{n:,} points':
        '{n:,} 个点',
    '/data/nightly/results':
        '/data/nightly/results',
    " matching '{query}'":
        ' ，匹配“{query}”',
    ' (a sample of at most {most:,})':
        ' （最多抽样 {most:,} 个）',
    # components/state.py
    'Load a catalog on the Catalog page first.':
        '请先在“商品目录”页面加载一个目录。',
    'Use the bundled model (all-MiniLM-L6-v2) instead':
        '改用内置模型（all-MiniLM-L6-v2）',
    # components/tables.py
    'same {column}':
        '{column}相同',
    'different {column}':
        '{column}不同',
    'title':
        '标题',
    'category':
        '类目',
    'brand':
        '品牌',
    'source_id':
        '商品编号',
    'source_title':
        '商品标题',
    'neighbor_id':
        '相似商品编号',
    'neighbor_title':
        '相似商品标题',
    'band':
        '得分区间',
    'product_id':
        '商品编号',
    'left_id':
        '左侧编号',
    'left_title':
        '左侧标题',
    'right_id':
        '右侧编号',
    'right_title':
        '右侧标题',
    'neighbours':
        '相似商品数',
    'match_score':
        '重复分',
    'label':
        '标签',
    'size':
        '商品数',
    'group':
        '分组',
    'metric':
        '比较方式',
    'hybrid_weight':
        '混合权重',
    'overlap':
        '重合度',
    'canonical_id':
        '代表商品编号',
    'canonical_title':
        '代表商品标题',
    'in lists':
        '出现在列表中',
    'mrr':
        'MRR',
    'ndcg':
        'NDCG',
    'coherence':
        '一致性',
    'step':
        '步骤',
    'ran on':
        '运行于',
    'Double-click a cell to read all of a long text.':
        '双击单元格可查看长文本的全部内容。',
    'Page (of {pages:,}; {n:,} rows)':
        '页码（共 {pages:,} 页；{n:,} 行）',
    'Page (of {pages:,}; {total:,} rows)':
        '页码（共 {pages:,} 页；{total:,} 行）',
    'Show only products whose title or id contains':
        '只显示标题或编号包含以下内容的商品',
    'Show only products whose title, id or model number contains':
        '只显示标题、编号或型号包含以下内容的商品',
    'Filter (text in {columns})':
        '筛选（{columns} 中的文本）',
    # components/tuning_compare.py
    '(as A)':
        '（与 A 相同）',
    'as A':
        '与 A 相同',
    'B is identical to A':
        'B 与 A 完全相同',
    'Model':
        '模型',
    'Text columns (empty = as A)':
        '文本列（留空 = 与 A 相同）',
    'Rules':
        '规则',
    '…or a whole configuration file (JSON) for B':
        '…或者为 B 提供一个完整的配置文件（JSON）',
    'Compare':
        '比较',
    'Not a JSON configuration ({exc})':
        '不是 JSON 配置（{exc}）',
    'The model is reading the products for configuration B…':
        '模型正在为配置 B 读取商品…',
    # components/tuning_groups.py
    '(ungrouped)':
        '（未分组）',
    'Typical group size':
        '典型分组大小',
    ('Chosen for this catalog: {size} is the size at which its groups stand furthest apart '
     'from each other. Move it left for more, smaller groups, or right for fewer, larger ones.'):
        ('按本目录选定：分组大小为 {size} 时，各组之间区分最明显。'
         '向左移动得到更多、更小的组；向右移动得到更少、更大的组。'),
    'Grouping products…':
        '正在给商品分组…',
    'Map of a random sample of {n:,} of {total:,} products.':
        '{total:,} 个商品中随机抽取 {n:,} 个的地图。',
    'No two products score {threshold:.2f} or more, so nothing here is a duplicate at this '
    'threshold. Lower it to see near-duplicates.':
        '没有两个商品的得分达到 {threshold:.2f} 或以上，所以在这个阈值下没有重复商品。调低阈值可以看到'
        '近似重复的商品。',
    'Duplicate threshold (score from which two products are the same item)':
        '重复阈值（两个商品被视为同一件商品的得分）',
    "Two products are duplicates when each one's score for the other reaches it (the duplicate "
    "score of the Duplicate threshold page). Scores run from 0 to 1; from 0.90 on, two products "
    "read as the same item. Defaults to the threshold chosen there on labelled pairs, else where "
    "your 'duplicate' score range starts (Neighbours, Rules for the lists), else {default}.":
        '两个商品互相的得分都达到这个值时，才算重复（即“重复阈值”页的重复得分）。得分从 0 到 1；'
        '0.90 及以上表示两个商品是同一件。默认取在那一页用标注对选出的阈值，'
        '否则取“duplicate”得分区间的起点（相似商品页的“列表规则”），否则为 {default}。',
    "Starts at {threshold:.3f}, the threshold saved in your settings (chosen on the Duplicate "
    "threshold page or here); python -m core merge-map uses it too.":
        '起始值为 {threshold:.3f}，即保存在您的设置中的阈值（在“重复阈值”页或这里选定）；'
        'python -m core merge-map 也使用它。',
    # components/tuning_review.py
    'id {id}':
        '编号 {id}',
    'Accept':
        '接受',
    'Reject':
        '拒绝',
    'Skip':
        '跳过',
    'Undo last':
        '撤销',
    'Catalog {md} · pairs decided in this session: {n:,} · accepted {accepted:,} · rejec'
    "ted {rejected:,} · skipped {skipped:,} (accepted pairs always appear in each other's lists and in "
    "the export, rejected pairs never, unless 'Use my Review decisions' is off in the rules)":
        '目录 {md} · 本会话已决定 {n:,} 个商品对 · 接受 {accepted:,} · 拒绝 {rejected:,} ·'
        ' 跳过 {skipped:,}（接受的商品对总会出现在彼此的列表和导出文件中，拒绝的则永远不会，除非在规则中关'
        '闭了“使用我的审核决定”）',
    'Download labelled pairs (left_id, right_id, label)':
        '下载标注的商品对（left_id, right_id, label）',
    'A CSV file (left_id, right_id, label: 1 accepted, 0 rejected) for the Evaluate, Duplicate threshol'
    'd and Fine-tune pages.':
        '一个 CSV 文件（left_id, right_id, label：1 接受，0 拒绝），可用于“评估”“重复阈值”和“微调”页面。',
    # components/tuning_rules.py
    'line {number}: write a product id, a comma and a neighbour id, got {line!r}':
        '第 {number} 行：请写一个商品编号、一个逗号和一个相似商品编号，实际为 {line!r}',
    'bands: write name=score, got {part!r}':
        '得分区间：请写成 名称=得分，多个区间之间用逗号分隔，实际为 {part!r}',
    'price range':
        '价格区间',
    'weak matches':
        '弱匹配',
    'near-identical':
        '几乎相同',
    'out of stock':
        '缺货',
    'never-show pairs':
        '永不显示的商品对',
    'pairs always shown {pinned:,} · pairs never shown {blocked:,}':
        '始终显示的商品对 {pinned:,} · 永不显示的商品对 {blocked:,}',
    'Limit how many neighbours share one':
        '限制同一取值的相似商品数量',
    '…at most this many per list':
        '…每个列表最多这么多个',
    'Only products in a price range':
        '只要价格在一定区间内的商品',
    'Leave out weak matches':
        '排除弱匹配',
    'Only products in stock, from column':
        '只要有货的商品，依据列',
    'Short lists after the rules: {n:,} products':
        '应用规则后的短列表：{n:,} 个商品',
    'Rules for the lists':
        '列表规则',
    'Every neighbour in a list must pass these rules. When too few products pass, a list is shorter; th'
    'e count of short lists is shown below.':
        '列表中的每个相似商品都必须通过这些规则。通过的商品太少时，列表会变短；短列表的数量显示在下方。',
    'Hide unrelated neighbours: keep only those more related than this share of random pairs of '
    'products':
        '隐藏不相关的相似商品：只保留比这一比例的随机商品对更相关的商品',
    'Name score ranges, e.g. duplicate=0.95, close=0.8':
        '为得分区间命名，例如 duplicate=0.95, 相近=0.8',
    'Only products with the same':
        '只要这些列取值相同的商品',
    'Only products with a different':
        '只要这些列取值不同的商品',
    'e.g. brand':
        '例如：品牌',
    'At most the number on the right per value of these columns in one list (e.g. at most 2 per brand).'
    ' Settings file: `rules.max_per`.':
        '在一个列表中，这些列的每个取值最多出现右边的数量（例如每个品牌最多 2 个）。设置文件：`rules.max_pe'
        'r`。',
    'Neighbours scoring below the number on the right are left out; lists may get shorter. Settings fil'
    'e: `rules.min_score`.':
        '得分低于右边数字的相似商品会被排除；列表可能变短。设置文件：`rules.min_score`。',
    'Variety in each list':
        '列表的多样性',
    'A column that says whether a product is in stock (1, yes, true, in stock, or a number above 0). Se'
    'ttings file: `rules.in_stock_column`.':
        '表示商品是否有货的列（1、yes、true、in stock，或大于 0 的数字）。设置文件：`rules.in_stock_column`'
        '。',
    'Keep near-identical products':
        '保留几乎相同的商品',
    'Use my Review decisions':
        '使用我的审核决定',
    'Always show these pairs':
        '始终显示这些商品对',
    'Never show these pairs':
        '永不显示这些商品对',
    '{short_text}. A short list is better than one padded with unrelated products.':
        '{short_text}。短列表比用无关商品凑满的列表更好。',
    '{head}, made short by: {why}':
        '{head}，原因：{why}',
    'Every product has a full list.':
        '每个商品都有完整的列表。',
    'First {limit:,} of {n:,} shown.':
        '显示前 {limit:,} 个，共 {n:,} 个。',
    'Fix the rule above (or load another configuration) to see lists.':
        '修正上面的规则（或加载另一个配置）后才能看到列表。',
    '0.9 (the default) hides a neighbour unless it is more related than 9 in 10 random pairs of product'
    's, in meaning and in its score; a list that cannot be filled above it is shorter. 0 turns it off.'
    ' Measured: with category, brand and price rules on the walmart catalog, unrelated entries drop fr'
    'om 6% to none while 92% of products keep a list. Settings file: `relevance_floor`.':
        '0.9（默认）表示：只有在语义和得分上都比 10 对随机商品中的 9 对更相关时才显示该相似商品；无法在此之上'
        '填满的列表会变短。0 表示关闭。实测：在 walmart 目录上使用类目、品牌和价格规则时，无关条目从 6% 降到'
        '零，同时 92% 的商品仍有列表。设置文件：`relevance_floor`。',
    "Each name gets the scores from its number up to the next name's. A 'duplicate' range is left out o"
    'f the lists (the same product twice) unless you keep near-identical products. Settings file: `band'
    's`.':
        '每个名称对应从它的数值到下一个名称数值之间的得分。“duplicate”区间会被排除在列表之外（同一商品出现'
        '两次），除非你选择保留几乎相同的商品。设置文件：`bands`。',
    'e.g. category':
        '例如：类目',
    'A neighbour must have the same value as the product in these columns (e.g. the same category). Set'
    'tings file: `rules.same`.':
        '相似商品在这些列上必须与该商品取值相同（例如同一类目）。设置文件：`rules.same`。',
    'A neighbour must differ from the product in these columns (e.g. another brand, for alternatives; '
    "or a column naming the parent product, such as Shopify's Handle, to leave out other sizes and "
    'colours of the same product). Settings file: `rules.different`.':
        '相似商品在这些列上必须与该商品取值不同（例如换一个品牌，作为替代品；或选择标明所属商品的列，'
        '如 Shopify 的 Handle，以排除同一商品的其他尺码和颜色）。设置文件：`rules.different`。',
    "A neighbour's price must lie between the two multiples of the product's price on the right (0.5 an"
    'd 2 = from half to double). Settings file: `rules.price_ratio`.':
        '相似商品的价格必须介于该商品价格的两个倍数之间（见右侧；0.5 和 2 = 从一半到两倍）。设置文件：`rule'
        's.price_ratio`。',
    'Choose the price column on the Catalog page first.':
        '请先在“商品目录”页面选择价格列。',
    "Neighbour's price, times the product's price":
        '相似商品价格是该商品价格的倍数',
    'Lowest score kept (0 to 1)':
        '保留的最低得分（0 到 1）',
    '0 = most similar first. Higher values prefer neighbours that differ from the ones already in the l'
    'ist (fewer near-copies side by side). Settings file: `rules.diversity`.':
        '0 = 最相似的优先。数值越高，越倾向于与列表中已有商品不同的相似商品（减少并排的近似副本）。设置文件'
        '：`rules.diversity`。',
    "Products in the 'duplicate' score range are the same product twice and are left out of lists unles"
    's this is ticked. Settings file: `rules.keep_duplicates`.':
        '处于“duplicate”得分区间的商品是同一商品出现两次，除非勾选此项，否则会被排除在列表之外。设置文件：`'
        'rules.keep_duplicates`。',
    "Accepted pairs always appear in each other's lists, rejected pairs never do. Settings file: `rules"
    '.use_review`.':
        '接受的商品对总会出现在彼此的列表中，拒绝的则永远不会。设置文件：`rules.use_review`。',
    'one pair per line: product id, neighbour id':
        '每行一对：商品编号, 相似商品编号',
    'Each line: a product id, a comma, the id of a product that must always be in its list. Settings fi'
    'le: `rules.pinned`.':
        '每行：一个商品编号、一个逗号、必须始终出现在其列表中的商品编号。设置文件：`rules.pinned`。',
    'Each line: a product id, a comma, the id of a product that must never be in its list. Settings fil'
    'e: `rules.blocked`.':
        '每行：一个商品编号、一个逗号、绝不能出现在其列表中的商品编号。设置文件：`rules.blocked`。',
    ' · candidates looked at and left out, by rule (several candidates are looked at for each place '
    'in a list, so these add up to more than the export): {removed}':
        ' · 各规则查看后排除的候选商品（列表中的每个位置都会查看多个候选，所以这些数加起来会多于'
        '导出的行数）：{removed}',
    '{name}: score ≥ {low:g}':
        '{name}：得分 ≥ {low:g}',
    ' and < {high:g}':
        ' 且 < {high:g}',
    # components/widgets.py
    'CSV (opens in Excel)':
        'CSV（可用 Excel 打开）',
    'Excel workbook (.xlsx)':
        'Excel 工作簿（.xlsx）',
    'Parquet (for data tools)':
        'Parquet（供数据工具使用）',
    'JSON (for developers)':
        'JSON（供开发者使用）',
    'UTF-8':
        'UTF-8',
    'UTF-8 with BOM (Excel)':
        '带 BOM 的 UTF-8（Excel）',
    'GB18030 (Chinese Excel)':
        'GB18030（中文版 Excel）',
    'Catalog language: {describe}':
        '目录语言：{describe}',
    'Find a product (part of its title or id)':
        '查找商品（标题或编号的一部分）',
    'Find a product (part of its title, id or model number)':
        '查找商品（标题、编号或型号的一部分）',
    'Product ({n} shown)':
        '商品（显示 {n} 个）',
    'File type':
        '文件类型',
    'Download {upper}':
        '下载 {upper}',
    'Save configuration':
        '保存配置',
    'Load a saved configuration (JSON)':
        '加载保存的配置（JSON）',
    'Products per list':
        '每个列表的商品数',
    "The model '{model}' reads English only, and this catalog is {name}: choose 'multilingual' under Ad"
    'vanced.':
        '模型“{model}”只能读英文，而这个目录是{name}：请在“高级”中选择“multilingual”（多语言）。',
    "No product matches '{md}'.":
        '没有商品匹配“{md}”。',
    'File options':
        '文件选项',
    'Protect against spreadsheet formulas':
        '防止电子表格公式',
    'CSV text encoding':
        'CSV 文本编码',
    'Every setting and rule in one small file. A nightly job makes the same lists with: python -m core '
    'neighbors CATALOG --config tuned.json --out lists.csv':
        '所有设置和规则都在一个小文件中。夜间任务用以下命令生成同样的列表：python -m core neighbors CATALOG'
        ' --config tuned.json --out lists.csv',
    "A file saved with 'Save configuration': its settings and rules replace the current ones.":
        '用“保存配置”保存的文件：其中的设置和规则会替换当前的。',
    "How many similar products each product's list holds. Settings file and command line: `k`.":
        '每个商品的列表包含多少个相似商品。设置文件和命令行：`k`。',
    "A cell starting with = + - or @ gets a leading ' so that Excel shows it as text instead of running"
    ' it (CSV and Excel files).':
        "以 = + - 或 @ 开头的单元格会加上前导 '，这样 Excel 会把它显示为文本而不是执行它（CSV 和 Excel 文件"
        '）。',
    'Excel shows accents and Chinese right from UTF-8 with BOM or GB18030; GB18030 is chosen when the c'
    'atalog was uploaded in it.':
        'Excel 能正确显示带 BOM 的 UTF-8 或 GB18030 中的重音字符和中文；如果目录是以 GB18030 上传的，会默认'
        '选择 GB18030。',
    '{name} is not a JSON configuration ({exc})':
        '{name} 不是 JSON 配置（{exc}）',
    # app.py
    'Your lists':
        '你的列表',
    'Explore':
        '探索',
    'Check quality':
        '检查质量',
    'Catalog similarity':
        '商品相似度',
    'Review':
        '审核',
    'Fine-tune':
        '微调',
    # glossary
    'Neighbour':
        '相似商品',
    'A product that is similar to the one you are looking at. Each product gets a list of its closest n'
    'eighbours, most similar first.':
        '与你正在查看的商品相似的商品。每个商品都有一个列表，列出与它最接近的商品，最相似的在前。',
    'List':
        '列表',
    'The neighbours recommended for one product, most similar first. The Export page downloads every pr'
    "oduct's list.":
        '为一个商品推荐的相似商品，最相似的在前。“导出”页面可以下载每个商品的列表。',
    'Score':
        '得分',
    'Rule':
        '规则',
    "A condition every neighbour must meet, such as the same category or a price close to the product's"
    '. When too few products meet it, a list is shorter.':
        '每个相似商品都必须满足的条件，例如同一类目，或价格与该商品接近。满足条件的商品太少时，列表会变短。',
    'Short list':
        '短列表',
    'A list with fewer neighbours than you asked for, because the rules left too few products.':
        '相似商品少于你要求数量的列表，因为规则留下的商品太少。',
    'Band':
        '得分区间',
    "A name for a range of scores, such as 'duplicate' for 0.95 and above. Products in the 'duplicate' "
    'band are left out of lists unless you keep them.':
        '一段得分范围的名称，例如 0.95 及以上叫“duplicate”（重复）。“duplicate”区间内的商品会被排除在列表之'
        '外，除非你选择保留。',
    'Duplicate':
        '重复',
    'Two records of the same product (for example the same item listed twice). They are left out of eac'
    "h other's lists unless you keep them.":
        '同一商品的两条记录（例如同一件商品上架了两次）。它们不会出现在彼此的列表中，除非你选择保留。',
    'Mapping':
        '映射',
    'Telling the app which column holds what: the product id, the text that describes the product (titl'
    'e, description), and optionally category, brand, price and image.':
        '告诉应用每一列是什么：商品编号、描述商品的文本（标题、描述），以及可选的类目、品牌、价格和图片。',
    "Looking at two products side by side and saying whether they belong in each other's lists. Accepte"
    'd pairs always appear, rejected pairs never do.':
        '把两个商品并排查看，判断它们是否应出现在彼此的列表中。接受的商品对总会出现，拒绝的则永远不会。',
    'Pinned':
        '置顶',
    "A pair you want always to appear in each other's lists.":
        '你希望始终出现在彼此列表中的一对商品。',
    'Blocked':
        '屏蔽',
    "A pair that must never appear in each other's lists.":
        '绝不能出现在彼此列表中的一对商品。',
    'Orphan':
        '孤儿商品',
    "A product that appears in nobody's list, so shoppers never reach it from another product.":
        '不出现在任何列表中的商品，顾客无法从其他商品找到它。',
    'Hub':
        '热门商品',
    'A product that appears in a great many lists.':
        '出现在大量列表中的商品。',
    'Every product as a dot; similar products sit close together. The position itself has no meaning, o'
    'nly the closeness.':
        '每个商品是一个点；相似的商品靠得近。位置本身没有意义，只有远近有意义。',
    'A grid of scores between a few products: bright squares are similar pairs.':
        '几个商品之间的得分网格：颜色越亮的格子越相似。',
    'Technical settings in the sidebar (model, how meaning is compared, words against meaning, column w'
    'eights, precision, search method). The defaults were measured on labelled catalogs.':
        '侧边栏中的技术设置（模型、语义如何比较、词与语义的权衡、列权重、精度、搜索方式）。默认值都是在标注'
        '过的目录上测出来的。',
    'The language model that reads the product texts. Two are built in: an English one (the fastest) an'
    'd a multilingual one for Chinese, mixed and other catalogs; a Chinese catalog gets the multilingua'
    'l one by default.':
        '读取商品文本的语言模型。内置两个：一个英文模型（最快），一个多语言模型，适用于中文、混合语言及其他'
        '语言的目录；中文目录默认使用多语言模型。',
    # guide
    '1. Catalog':
        '1. 商品目录',
    'Your products. The demo shop (2,554 electronics and office products) is already loaded; upload '
    'your own file (CSV, Excel, LibreOffice, Parquet, or your product feed in XML or JSON) to use '
    'yours, then say which column is the id and which columns describe the product.':
        '你的商品。示例店铺（2,554 个电子和办公产品）已经加载好了；上传你自己的文件（CSV、Excel、'
        'LibreOffice、Parquet，或 XML、JSON 格式的商品数据源）'
        '即可使用你的商品，然后指明哪一列是编号、哪些列描述商品。',
    '2. Neighbours':
        '2. 相似商品',
    "Each product's list of similar products, most similar first, with a score from 0 to 1. Add rules h"
    'ere: same category, another brand, a price range.':
        '每个商品的相似商品列表，最相似的在前，得分从 0 到 1。可以在这里添加规则：同一类目、换一个品牌、价'
        '格区间。',
    '3. Review (optional)':
        '3. 审核（可选）',
    'Look at pairs side by side and accept or reject them; your decisions change the lists.':
        '并排查看商品对，接受或拒绝；你的决定会改变列表。',
    '4. Export':
        '4. 导出',
    "Download every product's list for your shop's recommender (CSV for Excel, or Parquet / JSON).":
        '下载每个商品的列表，供你店铺的推荐系统使用（Excel 用 CSV，或 Parquet / JSON）。',
    'Every product in a group (agglomerative, the default: it made the most coherent groups '
    'when measured), or only tight groups with the rest left ungrouped (HDBSCAN).':
        '每个商品都归入一个分组（凝聚聚类，默认：实测分组最一致），或只保留紧密的分组，其余不分组（HDBSCAN）。',
    'How groups are made':
        '分组方式',
    'Every column weight is 0: give at least one column a weight above 0 (the previous '
    'weights stay in use).':
        '所有列的权重都是 0：请至少给一列大于 0 的权重（仍沿用之前的权重）。',
    'Lists are shown without review decisions.':
        '列表显示时不包含审核决定。',
    'Every product in a group':
        '每个商品都归入一个分组',
    'Only tight groups':
        '只保留紧密的分组',
    '{rule} ({count:,} lists)':
        '{rule}（{count:,} 个列表）',
    '{short:,} of {total:,} lists are shorter than {k}':
        '{total:,} 个列表中有 {short:,} 个少于 {k} 个商品',
    'unrelated products hidden':
        '隐藏的不相关商品',
    "Advanced training settings":
        "高级训练设置",
    "By default the balance of exact words and meaning is chosen again for the new model on the held-ou"
    "t pairs":
        "默认会在留出的商品对上为新模型重新选择精确词语与语义的比重",
    "Check the lists on the held-out pairs after every pass, keep the best one and stop when a pass bri"
    "ngs no gain":
        "每轮训练后用留出的商品对检查列表，保留最好的一轮，某一轮没有提升时停止",
    "Each pair is also shown a close product that is not its match, taken from the current neighbour li"
    "sts":
        "每个商品对还会配上一个相近但不是同一商品的商品，取自当前的相似商品列表",
    "Keep today's words-vs-meaning balance (--keep-weight)":
        "保留当前的词语与语义比重（--keep-weight）",
    "Learning rate (--learning-rate)":
        "学习率（--learning-rate）",
    "Near misses from (--negatives-from)":
        "近似错误来源（--negatives-from）",
    "Passes over the pairs (--epochs)":
        "训练轮数（--epochs）",
    "{m} multilingual, {e} English":
        "多语言 {m}，英文 {e}",
    "Empty: the measured number for the model trained ({m} for the multilingual model, {e} for "
    "the English one and others).":
        "留空：按所训练模型的实测轮数（多语言模型 {m} 轮，英文模型及其他模型 {e} 轮）。",
    "Stop when a pass brings no gain (--select-epoch)":
        "某一轮没有提升时停止（--select-epoch）",
    "The defaults were measured on labelled catalogs (Abt-Buy, walmart-amazon); change them only to exp"
    "eriment. Command line: python -m core finetune.":
        "默认值是在标注目录（Abt-Buy、walmart-amazon）上测得的；仅在试验时修改"
        "。命令行：python -m core finetune。",
    "No shared word: the match rests on meaning alone.":
        "没有共同的词：匹配只依据语义。",
    "score":
        "得分",
    "words part":
        "词匹配部分",
    "field":
        "字段",
    "first":
        "第一个",
    "second":
        "第二个",
    "meaning":
        "语义",
    "words":
        "词匹配",
    "shared word":
        "共同词",
    "share of the words similarity":
        "占词匹配相似度的比例",
    "**Shared words that matter most**":
        "**最重要的共同词**",
    "Pairs whose **duplicate score** is at or above the threshold are called duplicates. It reads like "
    "the lists' scores (0 to 1, as on the Neighbours page) and takes the lower of the two products' "
    "scores for each other, so it is high only when they are very similar both ways and each is the "
    "other's best candidate.":
        "**重复分** 达到或超过阈值的商品对会被判为重复。它和列表中的得分一样（0 到 1，与"
        "“相似商品”页面相同），取两个商品互相给出的得分中较低的一个，所以只有当两者双向都非常相似、且"
        "互为对方的最佳候选时才高。",
    "No labels: the histogram shows the duplicate scores of every product's top {k} neighbours (high on"
    "ly when two products are very similar both ways and each is the other's best candidate). {SCALE_TE"
    "XT} {top:.1%} of these pairs score 0.95 or more: open a few pairs below before trusting a threshol"
    "d. Upload labelled pairs to choose one (the Review page downloads your accept/reject decisions as "
    "such a file).":
        "没有标注：直方图显示每个商品前 {k} 个相似商品的重复分（只有当两个商品双向都非常相似、"
        "且互为对方的最佳候选时才高）。{SCALE_TEXT} 这些商品对中有 {top:.1%}"
        " 的得分在 0.95 及以上：在信任某个阈值之前，请先打开下面的几对看看。上传标注的商品对"
        "即可选择阈值（“审核”页面可以把你的接受/拒绝决定下载成这样的文件）。",
    "Labelled pairs file":
        "标注商品对文件",
    "Review decisions":
        "审核决定",
    "Both":
        "两者都用",
    "the model's own neighbours":
        "模型自己的相似商品",
    "the neighbour lists (as fused)":
        "相似商品列表（融合后）",
    "Scores run from 0 to 1 and mean the same on every page and in every export: 0.90 and up = the same"
    " product (9 times in 10 across two shops); 0.85-0.90 = probably the same product or a variant (hal"
    "f of true twins score 0.85 or more); 0.50-0.85 = a close substitute or a similar product; below 0."
    "50 = loosely related; near 0 = as unrelated as two random products.":
        "得分在 0 到 1 之间，在每个页面和每个导出文件中含义相同：0.90 及以上 = 同一商"
        "品（跨两家店铺时十次中有九次是）；0.85-0.90 = 很可能是同一商品或其变体（一半的"
        "真实同款得分在 0.85 及以上）；0.50-0.85 = 相近的替代品或相似商品；低于 "
        "0.50 = 关系较弱；接近 0 = 与两个随机商品一样不相关。",
    "Its best neighbour":
        "它最相似的商品",
    "Pick another":
        "另选一个",
    "Best neighbour: {product}":
        "最相似的商品：{product}",
    "(none)":
        "（无）",
    "{rows:,} rows":
        "{rows:,} 行",
    "{columns} columns":
        "{columns} 列",
    "encoding {encoding}":
        "编码 {encoding}",
    "delimiter {delimiter}":
        "分隔符 {delimiter}",
    "sheet '{sheet}'":
        "工作表 '{sheet}'",
    "rank":
        "排名",
    "Demo: walmart.csv (2,554 products)":
        "示例：walmart.csv（2,554 个商品）",
    "(other)":
        "（其他）",
    "How the new model's scores were set (technical)":
        "新模型的得分是如何设定的（技术细节）",
    "Colour = how alike the two are in meaning alone ({metric} similarity of the model's vectors; share"
    "d words are not counted).":
        "颜色 = 两者仅在语义上的相似程度（模型向量的 {metric} 相似度；不计共同的词）。",
    "Colour = the duplicate score ({how}): high only when two products are very similar both ways and e"
    "ach is the other's best candidate; symmetric.":
        "颜色 = 重复分（{how}）：只有当两个商品双向都非常相似、且互为对方的最佳候选时才高；"
        "对称。",
    "Ranked by meaning only (shared words are switched off under Advanced).":
        "仅按语义排序（“高级”中关闭了共同词匹配）。",
    "Ranked like the neighbour lists: {how}.":
        "与相似商品列表的排序方式相同：{how}。",
    "meaning only":
        "仅语义",
    "photos":
        "图片",
    "words and model numbers":
        "词和型号",
    "Colour = how many words and model numbers the two share, rarer ones counting more (BM25 weights; 0"
    " = nothing shared, 1 = the same words).":
        "颜色 = 两者共有多少词和型号，越少见的词分量越重（BM25 权重；0 = 没有共同之处，"
        "1 = 词完全相同）。",
    # components/catalog_form.py: the id column and read-form options
    '(row numbers)':
        '（行号）',
    '(detect)':
        '（自动识别）',
    ', comma':
        ', 逗号',
    '; semicolon':
        '; 分号',
    'tab':
        '制表符',
    '| pipe':
        '| 竖线',
    ': colon':
        ': 冒号',
    '# hash':
        '# 井号',
    'space':
        '空格',
    # components/photos.py: the skipped photos table
    'row':
        '行',
    'id':
        '编号',
    'photo file':
        '图片文件',
    'problem':
        '问题',
    # components/resources.py, components/photos.py: spinners while a cache fills
    'Loading the model (once per server)…':
        '正在加载模型（每台服务器只需一次）…',
    'Loading the image model (once per server)…':
        '正在加载图片模型（每台服务器只需一次）…',
    # components/catalog_form.py: reading an upload; the repeated ids of a new file
    'Reading {name}…':
        '正在读取 {name}…',
    '…or the web address of your product feed or catalog file':
        '…或者填写商品数据源或目录文件的网址',
    'The file at this address is downloaded once, now (public web addresses only, up to the '
    'upload size limit); load it again to read a newer version. A Google Sheet\'s link (shared '
    'with anyone who has the link) loads the sheet, a Dropbox link the file. Nightly: python -m '
    'core neighbors ADDRESS --config ...':
        '现在下载一次该网址上的文件（仅限公网网址，大小不超过上传上限）；要读取更新的版本，请再加载一次。'
        'Google 表格的链接（已共享给知道链接的任何人）会读取该表格，Dropbox 链接会读取其中的文件。'
        '每晚自动运行：python -m core neighbors 网址 --config ...',
    'Load':
        '加载',
    'Downloading {url}…':
        '正在下载 {url}…',
    '{n:,} ids appear more than once in column {column}: {ids}.':
        '列 {column} 中有 {n:,} 个编号出现了不止一次：{ids}。',
    # components/quality_widgets.py: labelled pairs with ids not in the catalog
    'calibration file':
        '校准文件',
    'file to check on':
        '检验文件',
    # pages/evaluate.py: what was read and how to read the table
    "{rows:,} labelled pairs read: measured on the {n:,} products with a labelled match "
    "(pairs labelled 0 take no part in these measures)":
        '已读取 {rows:,} 对标注：衡量的是其中有标注匹配的 {n:,} 个商品（标为 0 的商品对不参与这些指标）',
    'Measured on {n:,} queries with a relevant product':
        '衡量 {n:,} 个有相关商品的查询',
    "How to read the columns (higher is better): recall@k = the share of labelled matches found among "
    "the first k products of a list; precision@k = the share of those k products that are labelled "
    "matches (with one match per product it cannot pass 1/k); ndcg@k = recall@k that counts a match "
    "more the higher it stands; mrr = how high the first match stands on average (1 = always first, "
    "0.5 = second); coherence = the share of neighbours with the product's value in that column.":
        '各列的读法（越高越好）：recall@k = 标注的匹配商品出现在列表前 k 个中的比例；precision@k = 这 k '
        '个商品中属于标注匹配的比例（每个商品只有一个匹配时不会超过 1/k）；ndcg@k = 类似 recall@k，但匹配'
        '排得越靠前分量越重；mrr = 第一个匹配平均排在多靠前（1 = 总在第一位，0.5 = 第二位）；coherence = '
        '与该商品在这一列取值相同的邻居所占比例。',
    # pages/explain.py: the first of a list emptied by the rules
    "This product's list is empty under your rules (Neighbours page): pick the second product yourself.":
        '在您的规则下（“相似商品”页），这个商品的列表是空的：请自己选择第二个商品。',
    # components/quality_threshold.py: what the saved duplicate threshold does
    "Duplicate groups (Groups page) and their merge map start at it, in the app and in "
    "python -m core merge-map with the downloaded configuration. The lists do not read it: they "
    "leave out the 'duplicate' score range set on the Neighbours page (Rules for the lists), a "
    "score of one product for the other rather than this both-ways duplicate score.":
        '“分组”页的重复分组及其合并映射从这个阈值开始，在应用中以及用下载的配置运行 '
        'python -m core merge-map 时都是如此。列表不读取它：列表排除的是在“相似商品”页（列表规则）'
        '设置的“duplicate”得分区间，那是一个商品对另一个商品的得分，而不是这里的双向重复得分。',
    # pages/compare.py: what the three figures mean
    "Whether the two lists put products in the same order, on average: 1 = the same order, 0 = "
    "unrelated, below 0 = mostly different products (a product missing from one list counts as "
    "ranked last there).":
        '两份列表给商品的排序是否一致（取平均）：1 = 顺序相同，0 = 无关，'
        '低于 0 = 多数商品不同（某份列表中缺少的商品按排在最后计）。',
    'Products whose list holds the same products in A and B.':
        '在 A 和 B 中列表所含商品完全相同的商品。',
    # pages/prices.py: the products the price check could not check
    '{other:,} of the products without a price are priced in another currency than most of the '
    'catalog: prices are compared within one currency.':
        '其中 {other:,} 个商品的价格币种与目录中多数商品不同：价格只在同一币种内比较。',
    'Not checked: {unpriced:,} products without a price, {few:,} with fewer than {peers} similar '
    'products that have one.':
        '未检查：{unpriced:,} 个商品没有价格，{few:,} 个商品有价格的相似商品少于 {peers} 个。',
    # audit-lists: Excel and ids in a CSV; lists the rules leave empty
    "Excel changes {n:,} of your ids when it opens a CSV (e.g. {example} becomes {shown}): it "
    "reads them as numbers. To open the lists in Excel, choose the Excel workbook (.xlsx), which "
    "keeps every id as written; the CSV itself is right for loading into your shop's systems.":
        'Excel 打开 CSV 时会改动 {n:,} 个编号（例如 {example} 变成 {shown}）：它把这些编号当作数字读取。'
        '要在 Excel 中打开列表，请选择 Excel 工作簿（.xlsx），它会原样保留每个编号；'
        'CSV 文件本身适合导入店铺的系统。',
    'The file would hold no rows. {why}':
        '文件中将没有任何行。{why}',
    'The current lists hold no pairs to review. {why}':
        '当前列表中没有可审核的商品对。{why}',
    "No product passes the rules for this product's list. Loosen them under Rules for the lists "
    "above.":
        '没有商品符合这个商品列表的规则。请在上方的“列表规则”中放宽规则。',
    'A catalog of one product has no neighbours: upload one with at least two products.':
        '只有一个商品的目录没有相似商品：请上传至少包含两个商品的目录。',
    'The rules leave every list empty: loosen them under Rules for the lists on the Neighbours '
    'page.':
        '规则让每个列表都为空：请在“相似商品”页的“列表规则”中放宽规则。',
    # audit-finetune: the training settings name the flags of python -m core finetune
    "Pairs per step (--train-batch-size)":
        "每步商品对数（--train-batch-size）",
    "LoRA: train small adapters, merged on save (--lora)":
        "LoRA：训练小型适配器，保存时合并（--lora）",
    "Learn from near misses in the lists (off: --no-hard-negatives)":
        "从列表中的近似错误中学习（关闭：--no-hard-negatives）",
    "Keep the new model even if its lists are not better (--keep-always)":
        "即使新模型的列表没有更好也保留它（--keep-always）",
    "Share of labelled products held out to check the new model (--valid-fraction)":
        "留出用于检验新模型的标注商品比例（--valid-fraction）",
    # audit-finetune: what the Fine-tune page needs, and too few held-out products
    "Upload a pairs file: one pair of your product ids per row (columns `left_id` and `right_id`, or "
    "`a` and `b`, or `left` and `right`) and, if you like, a label column (`1`, `yes` or `y` = the same "
    "product, `0`, `no` or `n` = not). At least 2 pairs of the same product; a few hundred teach the "
    "model most. "
    "Or use review decisions, or tick self-supervised.":
        "请上传商品对文件：每行一对商品编号（列名 `left_id` 和 `right_id`，"
        "或 `a` 和 `b`，或 `left` 和 `right`），"
        "可以再加一列标签（`1`、`yes`、`y` 或 `是` = 同一商品，`0`、`no`、`n` 或 `否` = 不是）。"
        "至少需要 2 对同一商品；"
        "几百对能让模型学到最多。也可以使用审核决定，或勾选自监督。",
    "Held-out products that will check the new model: {n}. Too few for its before/after figures, "
    "or the choice to keep it, to mean much. Label more pairs of the same product: about {need:,} "
    "give {min_held_out} held-out products.":
        "只有 {n} 个留出商品用来检验新模型：太少了，前后对比的数字和是否保留新模型的判断都说明不了多少。"
        "请标注更多同一商品的商品对：大约 {need:,} 对可以留出 {min_held_out} 个商品。",
    # audit-explore: the exploring pages on tiny and degenerate catalogs
    "Typical group size: 2 (too few products to choose)": "典型分组大小：2（商品太少，无法选择）",
    "The list of '{product}' is empty: the rules for the lists (Neighbours page) left no "
    "neighbour. Choose another product, or loosen the rules.":
        "“{product}”的列表是空的：列表规则（“相似商品”页）没有留下任何相似商品。请选择其他商品，或放宽规则。",
    "No product is in another product's list.": "没有任何商品出现在其他商品的列表中。",
    "Every product is in at least one other product's list.": "每个商品都至少出现在一个其他商品的列表中。",
    "Searched the first {limit:,} of the {n:,} characters you typed: the model would take long to "
    "read them all.":
        "只搜索了您输入的 {n:,} 个字符中的前 {limit:,} 个：全部读完会让模型花很长时间。",
    # session 28: per-category duplicate thresholds
    "Pairs within these categories use the threshold chosen for them on your labelled pairs "
    "(Duplicate threshold page): {categories}{more}.":
        "这些类目内的商品对使用用您的标注对为它们选出的阈值（“重复阈值”页）：{categories}{more}。",
    " and {n:,} more": "，另有 {n:,} 个",
    "Upload": "上传",
    "Up to {mb:,} MB per file": "每个文件最大 {mb:,} MB",
    "Press Enter to apply": "按回车键应用",
    "Press Enter to submit": "按回车键提交",
    "Press Ctrl+Enter to apply": "按 Ctrl+回车键应用",
    " (CSV, TSV, Excel or Parquet)": "（CSV、TSV、Excel 或 Parquet）",
    "Excel changes ids such as {example} (it shows {shown}) when it opens a CSV: it reads them "
    "as numbers. To open the lists in Excel, choose the Excel workbook (.xlsx), which keeps "
    "every id as written; the CSV itself is right for loading into your shop's systems.":
        "Excel 打开 CSV 时会改动像 {example} 这样的编号（显示为 {shown}）：它把它们当成数字。"
        "要在 Excel 中打开列表，请选择 Excel 工作簿（.xlsx），它会原样保留每个编号；"
        "CSV 本身适合导入店铺系统。",
    "Pairs within a category of the table above use that category's threshold instead, on the "
    "Groups page and in merge-map alike.":
        "上表所列类目内的商品对改用该类目的阈值，“分组”页和 merge-map 都是如此。",
    # audit-isolation: fine-tuned models stay with the session that made them
    "The fine-tuned model {name} was made by someone else on this server, so it cannot be used "
    "here; choose your own model or a built-in one.":
        "微调模型 {name} 是此服务器上的其他人训练的，因此不能在这里使用；请选择您自己的模型或内置模型。",
    "Your fine-tuned models in {folder} cannot be kept as yours ({exc}); nothing was forgotten.":
        "无法将 {folder} 中的微调模型保留为您的模型（{exc}）；因此没有清除任何内容。",
    # audit-parity: a settings file from an older version, loaded on the Export page
    "{name} does not set {keys} (saved by an older version?): today's defaults are used for "
    "them, so the lists may differ from the ones you saved. Save the settings again to record "
    "the values you want.":
        "{name} 没有设置 {keys}（由旧版本保存？）：这些设置使用当前的默认值，因此列表可能与您"
        "保存时不同。请重新保存设置，以记录您想要的值。",
    # audit-photos2: several photos in one image cell
    "{n:,} products name several photos: the first one that can be read is used.":
        "{n:,} 个商品写了多张图片：使用其中第一张能读取的图片。",
    "Photos: one of the two has no usable photo, so this pair is scored by its text alone.":
        "图片：两者之一没有可用的图片，因此这一对只按文字打分。",
    # review-carry: review decisions carry over to the next version of a catalog
    "Earlier review decisions of yours that are not applied here: {n:,} ({why}). Your other "
    "decisions carry over to this version.":
        "您之前的审核决定中有 {n:,} 个在这里不适用（{why}）。您的其他决定会沿用到这个版本。",
    "{n:,} because a product's text was edited since": "{n:,} 个因为商品的文字之后被修改过",
    "{n:,} made on another version before decisions carried over":
        "{n:,} 个是在决定可以沿用之前于另一个版本上做出的",
    "{n:,} because a product is no longer in the catalog": "{n:,} 个因为商品已不在目录中",
    "See the decisions that are not applied": "查看不适用的决定",
    "Keep the decisions on edited products for the products as they are now: {n:,}":
        "将针对已修改商品的决定保留给商品的当前版本：{n:,} 个",
    "Both products of each of these pairs are still in the catalog; their texts were edited. "
    "Keep a decision only when the edit did not change which product it is (a typo fixed, a "
    "longer description).":
        "这些商品对中的两个商品都还在目录中，只是文字被修改过。只有当修改没有改变它是哪个商品时"
        "（改正了错别字、加长了描述），才保留该决定。",
    "a product's text was edited since": "商品的文字之后被修改过",
    "a product is no longer in the catalog": "商品已不在目录中",
    "made on another version before decisions carried over": "在决定可以沿用之前，于另一个版本上做出",
    "decision": "决定",
    "why": "原因",
    # zh-search: a query respelt in the catalog's characters (homophone typo, pinyin)
    "Showing results for **{respelt}**, as this catalog writes it: it matches better than "
    "\"{typed}\".":
        "显示的是 **{respelt}** 的结果（本目录的写法），它比“{typed}”匹配得更好。",
    "Search exactly what I typed": "按我输入的原样搜索",
    # fresh-eyes: plain words on the main path (no "embedding", no "UMAP"), no double brackets
    'The model is reading {n:,} products…':
        '模型正在读取 {n:,} 个商品…',
    'Drawing the map of {rows:,} products…':
        '正在绘制 {rows:,} 个商品的地图…',
    'Cancelled. Work already done is kept (the products the model has read stay read); it resumes '
    'from there on your next action.':
        '已取消。已完成的工作会保留（模型已读取的商品不必再读）；下次操作时从那里继续。',
    "Teaches a model which of your products are the same or good neighbours, from pairs you "
    "labelled or review decisions. Some labelled products are held out: the new model is kept only "
    "when its neighbour lists find their matches better than the lists {md} makes today.":
        "用你标注的商品对或审核决定，教模型认识你的商品中哪些是同一商品或合适的相似商品。部分标注"
        "商品会被留出：只有当新模型的相似商品列表比“{md}”现在生成的列表更好地找到它们的匹配时，"
        "才会保留新模型。",
    'Model to start from':
        '从哪个模型开始',
    '{name}: recommended':
        '{name}：推荐',
    '{name}: trains about twice as fast':
        '{name}：训练快约一倍',
    'The model your lists use now, {name} (tuned further)':
        '你的列表当前使用的模型“{name}”（在它的基础上继续微调）',
    'Fine-tuning trains a copy of this model; your lists keep using the current one until you choose '
    'the new model. On two labelled catalogs (products never used in training), lists tuned from the '
    'multilingual model put the right match first for 92.0% and 77.6% of products; tuned from the '
    'English model, 93.1% and 75.7%; before tuning, 91.7% and 72.2%.':
        '微调训练的是这个模型的副本；在你选用新模型之前，列表仍使用当前模型。在两个有标注的目录上'
        '（训练中从未用过的商品），从多语言模型微调后的列表把正确匹配排在第一位的比例为 92.0% 和 '
        '77.6%；从英文模型微调后为 93.1% 和 75.7%；微调前为 91.7% 和 72.2%。',
    'shared words':
        '共同词',
    # photos-embed: a damaged first photo falls back to the cell's next one
    "{n:,} products use a later photo of their cell, because the first one could not be used "
    "(missing, damaged or not a photo).":
        "{n:,} 个商品使用了单元格中靠后的一张图片，因为第一张无法使用（缺失、损坏或不是图片）。",
    # photos-embed: the Export page says what the score means with and without photos
    "**What the file holds**: one row per product and neighbour: the product's id and title, the "
    "neighbour's rank (1 = most similar), id and title, and the score ({meaning})":
        "**文件内容**：每个商品与每个相似商品占一行：商品的编号和标题，相似商品的名次（1 = 最相似）、编号和"
        "标题，以及得分（{meaning}）",
    # the titles seldom name the brand: add the brand and category to the text columns
    ("Your titles seldom name the {brand} ({share:.0%} of them), and the lists compare only the text "
     "columns, so they cannot follow it. To compare it too, add {columns} to the text columns above."):
        ('你的标题很少写出“{brand}”（只有 {share:.0%}），而列表只比较文本列，所以无法据此推荐。'
         '如需一并比较，请把 {columns} 加到上面的文本列中。'),
    ' and ':
        ' 和 ',
    # export layout: a row per product for a shop's import of related products
    'File layout':
        '文件格式',
    'A row per product and neighbour':
        '每个商品与每个相似商品占一行',
    'A row per product, its neighbours in one cell':
        '每个商品占一行，相似商品放在同一单元格',
    ("A row per product and neighbour suits a recommender or a spreadsheet: each row says the rank "
     "and the score. A row per product puts its neighbours' ids in one cell, in rank order, joined "
     "by commas (or '|' when an id holds a comma), as a shop's import of related products or "
     "cross-sells reads them (WooCommerce's Cross-sells column reads SKUs: make the SKU column "
     "the id on the Catalog page)."):
        ('每个商品与每个相似商品占一行，适合推荐系统或电子表格：每行给出名次和得分。每个商品占一行时，'
         '相似商品的编号按名次放在同一单元格，用逗号分隔（编号含逗号时用“|”），'
         '便于网店导入相关商品或交叉销售商品（WooCommerce 的 Cross-sells 列读取 SKU：'
         '请在“商品目录”页把 SKU 列设为编号）。'),
    ("**What the file holds**: one row per product: its id and title, how many neighbours it has, "
     "their ids in rank order (most similar first) and their scores in the same order ({meaning})."):
        ('**文件内容**：每个商品占一行：商品的编号和标题、相似商品的个数、按名次排列的相似商品编号'
         '（最相似的在前），以及同样顺序的得分（{meaning}）。'),
    # score-words: the Neighbours caption and the score column say what the Export page says
    '{n:,} products · up to {k} neighbours each · score: {meaning}':
        '{n:,} 个商品 · 每个最多 {k} 个相似商品 · 得分：{meaning}',
    'How similar: {meaning}.':
        '相似程度：{meaning}。',
    # score-words: the glossary's score says photos can be part of it
    "How similar a neighbour is to the product, from 0 (unrelated) to 1 (the same text; and the "
    "same photo when photos are part of the score). It combines what the texts mean and the words "
    "and model numbers they share (and the photos, as much as 'Photos vs text' gives them); the same "
    "model code raises "
    "it, and different sizes, colours, years, editions (a language, a console, men's or women's) "
    "or platforms, or a remanufactured copy, keep it below 'the same product'. 0.90 and up: the "
    "same product.":
        '相似商品与该商品有多相似，从 0（无关）到 1（文本相同；得分含图片时还要图片相同）。'
        '它综合了文本的含义和共同的词与型号（以及“图片 与 文本”分给图片的那部分）；'
        '相同型号会提高得分，尺寸、颜色、年份、版别（语言、游戏机、男款或女款）或平台不同，或为翻新品，'
        '则不会被算作“同一件商品”。'
        '0.90 及以上：同一件商品。',
    # plain-quality
    "How much the two products' meaning adds to the score, before the score is put on its 0 to 1 "
    "scale (the bar below).":
        "两个商品的语义为得分贡献了多少（在得分换算到 0 到 1 的刻度之前，见下方的条形图）。",
    "How much the words and model numbers the two share add to the score, before the score is put on "
    "its 0 to 1 scale (the bar below).":
        "两个商品共同的词和型号为得分贡献了多少（在得分换算到 0 到 1 的刻度之前，见下方的条形图）。",
    "Score: the second product in the first one's list, as the lists and exports show it. {SCALE_TEXT} "
    "Duplicate score: what duplicate thresholds apply to, high only when the two are very similar both "
    "ways and each is the other's best candidate.":
        "得分：第二个商品在第一个商品列表中的得分，与列表和导出文件中显示的一致。{SCALE_TEXT} "
        "重复分：重复阈值所依据的得分，只有当两者双向都非常相似、且互为对方的最佳候选时才高。",
    "Technical details (for analysts)":
        "技术细节（供分析人员参考）",
    "Fused score {fused:.3f} = meaning part (dense) + words part (lexical) + same-product evidence "
    "(hybrid weight {weight:g}, each channel rescaled for the first product), mapped to the score; raw "
    "meaning similarity {dense:.3f}, raw words similarity {lexical:.3f}.":
        "综合得分（fused score）{fused:.3f} = 语义部分（dense）+ 词匹配部分（lexical）+ 同款证据"
        "（混合权重 {weight:g}，每个通道按第一个商品重新标定），再映射为得分；原始语义相似度 {dense:.3f}，"
        "原始词匹配相似度 {lexical:.3f}。",
    "Photos: {part:.3f} of the total (the bar below; photo weight {weight:g}); the two photos' "
    "similarity is {image:.3f}.":
        "图片：占合计 {part:.3f}（见下方的条形图；图片权重 {weight:g}）；两张图片的相似度为 {image:.3f}。",
    "the parts of the score":
        "得分的组成",
    "shared words and model numbers":
        "共同的词和型号",
    "the total":
        "合计",
    "id of the product kept":
        "保留商品的编号",
    "product kept":
        "保留的商品",
    "**Export the duplicates to merge**: one row per duplicate, with the product kept in its place":
        "**导出待合并的重复商品**：每个重复商品一行，并注明取代它而保留的商品",
    "The file's columns: product_id (the duplicate), canonical_id (the product kept) and score (how "
    "similar the duplicate is to the product kept). The command line writes the same file: python -m "
    "core merge-map.":
        "文件的列：product_id（重复的商品）、canonical_id（保留的商品）和 score（重复商品与保留商品的相似程"
        "度）。命令行生成同样的文件：python -m core merge-map。",
    "A = your current settings (the sidebar, and the rules on the Neighbours page). B = the same "
    "settings with the changes below, or a saved configuration file.":
        "A = 您当前的设置（侧边栏，以及“相似商品”页面上的规则）。B = 在这些设置的基础上做下面的修改，"
        "或一个保存的配置文件。",
    "Text columns":
        "文本列",
    "The share of a product's list (its first {k} neighbours, or fewer when rules shorten it or "
    "unrelated products are hidden) that both lists hold, on average: 1 = the same products (in any "
    "order), 0.5 = half of them, 0 = none.":
        "一个商品的列表（前 {k} 个相似商品；规则缩短列表或隐藏无关商品时会更少）中两份列表都包含的比例"
        "（取平均）：1 = 商品完全相同（顺序不论），0.5 = 一半相同，0 = 没有相同。",
    # session 29: Compare's columns headed in words
    "only in A": "仅在 A 中",
    "only in B": "仅在 B 中",
    "same order (1 = the same)": "顺序一致程度（1 = 完全一致）",
    "id in A": "A 中的编号",
    "title in A": "A 中的标题",
    "score in A": "A 中的得分",
    "id in B": "B 中的编号",
    "title in B": "B 中的标题",
    "score in B": "B 中的得分",
    # review-gone: forget the review decisions on products no longer in the catalog
    "Decisions on products no longer in the catalog forgotten: {n:,}.":
        "已忘记针对已不在目录中的商品的决定：{n:,} 个。",
    "Forget the decisions on products no longer in the catalog: {n:,}":
        "忘记针对已不在目录中的商品的决定：{n:,} 个",
    "A product of each of these pairs was removed from the catalog, so these decisions can never "
    "apply to it again. Forgetting them stops this warning; your other decisions stay.":
        "这些商品对中各有一个商品已从目录中删除，所以这些决定再也不会适用于它。忘记它们后，"
        "这条提醒就不再出现；您的其他决定不受影响。",
    "Forget your decisions on products no longer in the catalog ({n:,})? They cannot be "
    "brought back. Your other decisions stay.":
        "要忘记您针对已不在目录中的商品的决定（{n:,} 个）吗？忘记后无法恢复。您的其他决定不受影响。",
    "Forget them": "忘记它们",
    # big-walk: a large catalog's steps say what they do
    "Applying the rules to {n:,} lists…": "正在对 {n:,} 个列表应用规则…",
    "Finding duplicate groups at {threshold:.2f}…": "正在按阈值 {threshold:.2f} 查找重复商品组…",
    "The model reads every product once, then each product's most similar products are found (the "
    "Neighbours page does this by itself). Texts read before are reused.":
        "模型会把每个商品读一遍，然后为每个商品找出最相似的商品（“相似商品”页面也会自动完成）。读过的文本会被复用。",
    # walk-health: the price check, list health, explain and open results pages
    "Your price-range rule is left out here: under it, each product would only be compared with "
    "products priced like it, and no price could stand out. Your other rules apply.":
        "这里不使用您的价格区间规则：有了它，每个商品只会和价格相近的商品比较，任何价格都不会显得异常。"
        "您的其他规则照常适用。",
    "No price stands out at this setting. Move the first slider to the left to flag less unusual "
    "prices.":
        "在这个设置下没有价格显得异常。把第一个滑块向左移，可以标出不那么异常的价格。",
    "Neighbour lists to look through, filter and export again: a lists file downloaded from "
    "Export, or lists computed elsewhere (a nightly job, a Ray cluster), of which only the rows "
    "shown are read.":
        "可以浏览、筛选并再次导出的相似商品列表：从“导出”页面下载的列表文件，或在别处计算好的列表"
        "（夜间任务、Ray 集群），只读取显示出来的行。",
    "A lists file downloaded from Export (CSV, Excel, Parquet or JSON)":
        "从“导出”页面下载的列表文件（CSV、Excel、Parquet 或 JSON）",
    "…or a results folder or lists file on the server":
        "…或服务器上的结果文件夹或列表文件",
    "A folder written by python -m core neighbors CATALOG --out FOLDER/ (one process or --engine "
    "ray), or a lists file it wrote with --out lists.csv":
        "由 python -m core neighbors CATALOG --out FOLDER/ 写入的文件夹（单进程或 --engine ray），"
        "或用 --out lists.csv 写入的列表文件",
    "Upload a lists file, or give the path of a results folder and press Open.":
        "请上传列表文件，或输入结果文件夹的路径，然后点击“打开”。",
    "{products:,} products · up to {k} neighbours each · {count:,} list rows · from the file {name}":
        "{products:,} 个商品 · 每个最多 {k} 个相似商品 · {count:,} 行列表 · 来自文件 {name}",
    "the parts add up before the score is put on its 0 to 1 scale":
        "各部分先相加，再换算成 0 到 1 的得分",
    "No cell of the price column {column} reads as a price (such as 19.99 or $19.99): choose the "
    "column that holds the prices on the Catalog page.":
        "价格列 {column} 中没有一个单元格能读成价格（例如 19.99 或 $19.99）："
        "请在“商品目录”页面选择存放价格的列。",
    "No product has {peers} similar products with a price: move the second slider to the left.":
        "没有哪个商品有 {peers} 个带价格的相似商品：请把第二个滑块向左移。",
    # walk-evaluate: rows of a labels file that are not measured, and why
    "labels file": "标注文件",
    "{left_out:,} of the {total:,} rows of the {what} are left out:":
        "{what}的 {total:,} 行中有 {left_out:,} 行未使用：",
    "At {threshold:.3f}, {share:.1%} of the entries of the products' lists (each product's "
    "first {k}) score as duplicates.":
        "在 {threshold:.3f} 时，商品列表的条目（每个商品的前 {k} 个）中有 {share:.1%} 的得分算作重复。",
    "{said} That is more than one in five: pairs labelled 0 that look nothing alike (picked at "
    "random) pull a threshold down. Add pairs that look alike but are different products, "
    "labelled 0, and choose again.":
        "{said}这超过了五分之一：标注为 0 却毫不相像的商品对（随机挑选的）会把阈值拉低。"
        "请加入看起来相像但其实是不同商品的商品对，标注为 0，然后重新选择。",
    # walk-photos: an uploaded zip that does not open is said once
    "The uploaded .zip {reason}.":
        "上传的 .zip {reason}。",
    "The photos uploaded before stay in use.":
        "之前上传的图片继续使用。",
    "No photos are used until a .zip that opens is uploaded.":
        "在上传一个能打开的 .zip 之前，不使用任何图片。",
    # walk-finetune: fine-tuning and the model choice as a merchandiser meets them
    "{name} is in use: the lists of every page come from it. Language model under Advanced in "
    "the sidebar switches back to another model.":
        "{name} 正在使用中：每个页面的列表都由它生成。在侧边栏“高级”下的“语言模型”中可以换回其他模型。",
    "Fine-tuning is running: its progress and Cancel are at the top of this page.":
        "微调正在进行：进度和“取消”按钮在本页顶部。",
    "The last fine-tuning run is shown at the top of this page.":
        "上一次微调的情况显示在本页顶部。",
    "Your fine-tuned models ({n})": "你微调的模型（{n} 个）",
    "Made {created} UTC from {base}.": "{created}（UTC）由 {base} 微调而成。",
    "Delete {name}…": "删除 {name}…",
    "Delete {name}? It cannot be brought back. A nightly job whose settings file names it stops "
    "working; the lists of this work go back to the bundled model if it is in use.":
        "要删除 {name} 吗？删除后无法恢复。设置文件中指定它的夜间任务将无法运行；"
        "如果当前正在使用它，这份工作的列表会换回内置模型。",
    "Delete {name}": "删除 {name}",
    "{name} was deleted.": "{name} 已删除。",
    "No review decisions for this catalog yet. Accept (a) or reject (x) pairs on the Review page, "
    "then come back here; or choose a labelled pairs file, or tick self-supervised.":
        "此目录还没有审核决定。请先在“审核”页面接受（a）或拒绝（x）商品对，再回到这里；"
        "也可以改用标注商品对文件，或勾选自监督。",
    "Go to Review": "前往审核",
    "Match found first on its held-out products: {before:.3f} before, {after:.3f} with it "
    "({n:,} products).":
        "在它的留出商品上的首位命中：之前 {before:.3f}，用它之后 {after:.3f}（{n:,} 个商品）。",
    # keep-uploads: labelled-pairs files and the last Evaluate comparison survive a reload
    "Using {name}, uploaded {when}. Upload another file above to replace it.":
        "正在使用 {name}（上传于 {when}）。在上方上传另一个文件即可替换它。",
    "Remove this file": "移除此文件",
    "Compared {when} with {name}.": "{when} 用 {name} 比较。",
    "Compared {when}, without labels.": "{when} 比较，未使用标注。",
    "{name} is used now but cannot be kept for after a reload ({exc}).":
        "{name} 现在可以使用，但无法保存，重新加载页面后需要再次上传（{exc}）。",
    # polish-finetune: the last run comes back after a restart; short table headings;
    # a model that is not better says so
    "The fine-tuning run started {when} stopped when the app was restarted; nothing was saved. "
    "Start it again below.":
        "开始于 {when} 的微调在应用重启时中断了；没有保存任何内容。请在下方重新开始。",
    "found first": "首位命中",
    "in the first {k}": "前 {k} 个内命中",
    "rank score": "排名得分",
    "The share of held-out products whose first neighbour is their labelled match.":
        "留出的商品中，第一个相似商品就是其标注匹配的比例。",
    "The share of held-out products whose labelled match is among their first {k} neighbours.":
        "留出的商品中，标注匹配出现在前 {k} 个相似商品里的比例。",
    "Mean reciprocal rank (MRR): 1 when the match comes first, 1/2 when second, 1/3 when "
    "third…, averaged; higher is better.":
        "平均倒数排名（MRR）：匹配排第一记 1，排第二记 1/2，排第三记 1/3……再取平均；越高越好。",
    "The balance of exact words and meaning the lists use: 0 = meaning only, 1 = shared words only.":
        "列表中精确词语与语义的比重：0 = 只看语义，1 = 只看共同的词语。",
    "{name}, the model the last fine-tuning run made, was deleted; its figures are no longer shown.":
        "上一次微调得到的模型 {name} 已被删除；不再显示它的数据。",
    "{name} now holds another model than the one the last fine-tuning run made (made again later, "
    "or by another session); that run's figures are no longer shown.":
        "{name} 现在存放的已不是上一次微调得到的模型（之后重新训练过，或由另一个会话生成）；"
        "不再显示那次运行的数据。",
    "Found first = the share of held-out products whose first neighbour is their labelled match. "
    "Words vs meaning: the new model's balance is {weight:g} (today's is {current_weight:g}), chosen "
    "on the held-out pairs, saved with the model and set when you pick it; the slider under Advanced "
    "in the sidebar overrides it.":
        "首位命中 = 留出的商品中第一个相似商品就是其标注匹配的比例。词语与语义：新模型的比重为 "
        "{weight:g}（当前为 {current_weight:g}），在留出的商品对上选出"
        "，随模型保存，选用该模型时自动设置；侧边栏“高级”中的滑块可以覆盖它。",
    "Finished {when}": "完成于 {when}",
    "The new model did not find the held-out products' matches better than today's lists, so it "
    "was not saved. Your current model stays in use.":
        "在留出的商品上，新模型找到匹配并不比当前的列表好，因此没有保存。当前模型继续使用。",
    "The new model's lists are not better than today's on the held-out products. {name} was saved "
    "only because you asked to keep it; your current model stays in use. Pick it only to try it out.":
        "在留出的商品上，新模型的列表并不比当前的好。保存 {name} 只是因为你要求保留它；"
        "当前模型继续使用。只在想试一试时再选用它。",
    "The new model could not be checked: no labelled products were held out. {name} was saved only "
    "because you asked to keep it; your current model stays in use.":
        "无法检验新模型：没有留出任何标注商品。保存 {name} 只是因为你要求保留它；当前模型继续使用。",
    "Use it anyway": "仍然使用它",
    # polish-layout: the photo grid's captions (Neighbours)
    "picked": "所选商品",
    "score {score:.2f}": "得分 {score:.2f}",
    # polish-layout: the price chart's hover says what its second figure is ("peers 780.27")
    "%{text}<br>price %{y:.2f}<br>median of similar products %{x:.2f}<extra></extra>":
        "%{text}<br>价格 %{y:.2f}<br>相似商品的价格中位数 %{x:.2f}<extra></extra>",
    # polish-groups: duplicate groups around the product kept; progress of product groups
    "{n_groups:,} duplicate groups · {n_products:,} products · each group keeps one product (the "
    "one with the most duplicates, then the most complete record), and every other product in "
    "the group is a duplicate of it":
        "{n_groups:,} 个重复分组 · {n_products:,} 个商品 · 每组保留一个商品（重复品最多的那个，"
        "其次是信息最完整的记录），组内其他每个商品都是它的重复品",
    # polish-evaluate: a labels file's rows left out, in the singular for one (English)
    "1 of the {total:,} rows of the {what} is left out:": "{what}的 {total:,} 行中有 1 行未使用：",
    "{n:,} rows name an id that is not in the catalog's id column ({column}), such as {ids}: "
    "check those ids, or the id column chosen on the Catalog page":
        "{n:,} 行的编号不在商品目录的编号列（{column}）中，例如 {ids}：请检查这些编号，"
        "或检查在“商品目录”页选择的编号列",
    "{n:,} rows have an empty label: write 1 (same product) or 0 (different)":
        "{n:,} 行的标注为空：请填写 1（同一商品）或 0（不同商品）",
    "{n:,} rows name the same product twice": "{n:,} 行把一个商品与它自己配对",
    "{n:,} rows are the same as an earlier row (counted once)": "{n:,} 行与前面的行重复（只计一次）",
    "{n:,} pairs are labelled both same and different (none of those rows count): {pairs}":
        "{n:,} 对商品既被标为相同又被标为不同，它们的各行都不计入：{pairs}",
    # polish-evaluate: a kept labels file belongs to the catalog it was uploaded for
    "{name} was uploaded for another version of {catalog} (the file has changed since), so it "
    "is not used here. Upload the labels for this version above, or use it if its ids are still "
    "right.":
        "{name} 是为 {catalog} 的另一个版本上传的（该文件后来有了改动），所以这里不使用它。"
        "请在上方上传这个版本的标注；如果其中的编号仍然正确，也可以继续使用它。",
    "{name} was uploaded for another catalog, {catalog}, so it is not used with this one. Upload "
    "the labels for this catalog above, or open {catalog} again to use it.":
        "{name} 是为另一个商品目录 {catalog} 上传的，所以不用于当前目录。请在上方上传当前目录的标注；"
        "重新打开 {catalog} 即可再次使用它。",
    "Use it with this catalog": "用于当前目录",
    "how meaning is compared": "语义如何比较",
    # polish-evaluate: Compare's count of identical lists, its total in the label
    "Identical lists (of {n:,})": "相同列表（共 {n:,} 个）",
    # polish-evaluate: Evaluate's comparison marks the row of the current settings
    "your settings": "你的设置",
    " (your settings)": "（你的设置）",
    "Each row is one configuration; ✓ marks your settings (the sidebar's).":
        "每一行是一套配置；✓ 标出你的设置（即侧边栏中的设置）。",
    "Products are named by row number: column {column} has {distinct:,} different "
    "ids in {rows:,} rows, too few for one per product. The lists and exports will "
    "carry row numbers. To carry your ids, choose {column} as the id column above "
    "and say how to handle the ids that repeat.":
        "商品以行号命名：{column} 列在 {rows:,} 行中只有 {distinct:,} 个不同的编号，不足以每个商品一个。"
        "列表和导出将使用行号。若要使用你的编号，请在上方把 {column} 选为编号列，并选择如何处理重复的编号。",
    "Ids in this file are row numbers (0 = the first product of your "
    "file): your catalog has no id column.":
        "此文件中的编号是行号（0 = 文件中的第一个商品）：你的目录没有编号列。",
    "Ids in this file are row numbers (0 = the first product of your file): "
    "column {column} has {distinct:,} different ids in {rows:,} rows, too few "
    "for one per product. To carry your ids, choose {column} as the id column "
    "on the Catalog page and say how to handle the ids that repeat.":
        "此文件中的编号是行号（0 = 文件中的第一个商品）：{column} 列在 {rows:,} 行中只有 {distinct:,} "
        "个不同的编号，不足以每个商品一个。若要使用你的编号，请在“商品目录”页把 {column} 选为编号列，"
        "并选择如何处理重复的编号。",
}
