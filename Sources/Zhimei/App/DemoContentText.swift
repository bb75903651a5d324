import Foundation

/// The sample newsroom content of `zhimei demo --sample-content`: text written for the demo (places are real, the
/// events and people are invented).
enum DemoContentText {
    /// How far through the chain a sample story goes.
    enum Stage: Sendable { case draft, inReview, published }

    /// A sample story of one county centre, written by its reporter.
    struct StorySample: Sendable {
        let tenant: String
        let headline: String
        let lead: String
        let tags: [String]
        let category: String
        let paragraphs: [String]
        let stage: Stage
    }

    static let stories: [StorySample] = [
        StorySample(tenant: "liuyang", headline: "浏阳花炮产业集群年产值突破300亿元",
                    lead: "记者从浏阳市花炮产业发展中心获悉，2026年前三季度全市花炮产业集群实现产值312亿元，同比增长8.6%。",
                    tags: ["花炮", "产业", "浏阳"],
                    category: "经济",
                    paragraphs: [
                        "今年以来，浏阳市推动花炮企业向智能制造转型，全市已有46家企业完成自动化生产线改造，涉药工序人员减少三成以上。",
                        "在浏阳经开区的一家出口企业，装药、封口、组盆等工序全部由机械臂完成。企业负责人介绍，改造后单条生产线的日产量提高了一倍，安全风险明显下降。",
                        "出口方面，浏阳花炮今年销往全球100多个国家和地区，前三季度出口额同比增长12.3%。市花炮产业发展中心表示，下一步将继续推进“安全+创新”双轮驱动，培育一批具有国际竞争力的品牌。",
                    ], stage: .published),
        StorySample(tenant: "liuyang", headline: "浏阳河畔新建三公里健身步道正式开放",
                    lead: "11月20日，浏阳河东岸滨河健身步道正式向市民开放，全长3.2公里，沿线设置休憩驿站5处。",
                    tags: ["民生", "城市建设"],
                    category: "民生",
                    paragraphs: [
                        "步道起于浏阳河大桥东侧，止于西湖山公园入口，采用透水沥青铺设，并配有夜间照明和智能健身器材。",
                        "家住附近的市民李女士说：“以前晚饭后只能在小区里转转，现在沿着河边走一圈，又安全又舒服。”",
                        "市城市管理部门介绍，步道二期工程将于明年春季动工，建成后可与城区绿道网络连通。",
                    ], stage: .published),
        StorySample(tenant: "liuyang", headline: "浏阳开展冬春防汛备汛应急演练",
                    lead: "11月21日上午，浏阳市在浏阳河沿岸组织冬春防汛备汛应急演练，12个部门和乡镇的300余人参加。",
                    tags: ["防汛", "应急"],
                    category: "应急",
                    paragraphs: [
                        "演练模拟强降雨导致河道水位快速上涨、堤段出现管涌险情，检验了预警发布、人员转移、抢险救援等环节的协同处置能力。",
                        "市应急管理局有关负责人表示，将针对演练中发现的问题及时完善预案，确保汛期到来时“拉得出、用得上、打得赢”。",
                    ], stage: .inReview),
        // Left with misused words on purpose (按装 in the headline, 再接再励 in the body): the proofreading panel has something to show.
        StorySample(tenant: "liuyang", headline: "社区志愿者为独居老人按装扶手",
                    lead: "截止11月底，集里街道已为辖区86户独居老人完成居家适老化改造。",
                    tags: ["社区", "志愿服务"],
                    category: "社会",
                    paragraphs: [
                        "走进张奶奶家，卫生间和床边都装上了防滑扶手，过道里加装了感应夜灯。志愿者小刘告诉记者，他们每周都会上门回访，了解老人的使用情况。",
                        "集里街道办事处副主任陈晓红说，下一步将再接再励，把改造范围扩大到高龄老人家庭，并发动更多党员和居民加入志愿服务队伍。",
                    ], stage: .draft),
        StorySample(tenant: "ningxiang", headline: "宁乡花猪产业链项目签约落地",
                    lead: "11月19日，宁乡市与三家企业签约花猪全产业链项目，总投资12亿元。",
                    tags: ["农业", "招商引资"],
                    category: "经济",
                    paragraphs: [
                        "项目涵盖种猪繁育、生态养殖、冷链加工和品牌营销，预计全部建成后可带动周边2000余户农户增收。",
                        "宁乡花猪是国家地理标志产品，近年来通过“企业+合作社+农户”模式，养殖规模持续扩大。",
                    ], stage: .published),
        StorySample(tenant: "ningxiang", headline: "宁乡城区新增两处公共停车场",
                    lead: "为缓解城区停车难，宁乡市在玉潭街道新建两处公共停车场，新增车位420个。",
                    tags: ["民生", "交通"],
                    category: "民生",
                    paragraphs: ["两处停车场均设有新能源汽车充电桩，前30分钟免费停放，计划于12月中旬投入使用。"],
                    stage: .draft),
        StorySample(tenant: "shaoshan", headline: "韶山红色研学旅游持续升温",
                    lead: "今年以来，韶山接待研学团队超过1.2万批次，同比增长15%。",
                    tags: ["文旅", "研学"],
                    category: "文化",
                    paragraphs: [
                        "韶山市推出“重走青年路”“田间课堂”等12条研学线路，把红色教育与劳动实践、乡村振兴结合起来。",
                        "来自长沙的一名初中生说，在农田里插秧、在纪念馆里听讲解，让课本上的历史变得更加鲜活。",
                    ], stage: .published),
    ]

    /// Pasted leads (线索) per county centre.
    static let leads: [(tenant: String, title: String, text: String)] = [
        ("liuyang", "市民来信：金沙路下穿通道雨后积水", "编辑您好：金沙路下穿通道每逢下雨就积水，最深处没过小腿，电动车经常熄火。附近居民已经向社区反映过多次，希望媒体关注。联系人：王先生"),
        ("liuyang", "2026浏阳国际焰火节将于12月举办", "据市文旅部门消息，2026浏阳国际焰火节定于12月下旬在浏阳天空剧院举办，今年将首次推出无人机与焰火同台表演，预计吸引游客10万人次。"),
        ("liuyang", "大围山景区冬季雾凇提前出现", "大围山景区工作人员今天早上在海拔1400米以上区域拍到雾凇景观，比往年提前约一周，景区提醒游客注意防寒和道路结冰。"),
        ("ningxiang", "宁乡一中学生获全国青少年科技创新大赛一等奖", "宁乡市第一高级中学学生团队研发的“智能灌溉控制器”获得本届全国青少年科技创新大赛一等奖。"),
        ("shaoshan", "韶山冲稻田收割季吸引游客体验农耕", "韶山冲周边稻田进入收割季，不少游客带着孩子下田体验收割，村里的农家乐生意红火。"),
    ]

    /// Topics (选题) per county centre; approved ones are on the board's approved column.
    static let topics: [(tenant: String, title: String, description: String, angle: String, approved: Bool)] = [
        ("liuyang", "2026浏阳国际焰火节全媒体报道策划", "焰火节前、中、后三个阶段的全媒体报道，含直播、短视频和图文稿件。", "传统花炮与科技融合", true),
        ("liuyang", "城区下穿通道积水问题调查", "梳理城区下穿通道排水设施现状，回应市民关切。", "舆论监督与问题整改", false),
        ("shaoshan", "红色研学十年变迁", "回顾韶山研学旅游十年来的发展变化。", "青少年视角", true),
    ]

    /// An opinion event of the demo: the posts are made from its phrases.
    struct OpinionStory: Sendable {
        let key: String
        /// The topic tag every post of the event carries, as posts on one story do.
        let hashtag: String
        let subjects: [String]
        let comments: [String]
        let hoursAgo: ClosedRange<Double>
        let posts: Int
    }

    static let opinionScheme = (name: "浏阳舆情", rule: "浏阳 OR 金沙路 OR 焰火节 OR 花炮")

    /// 浏阳's fact base (事实库): the draft above calls 陈晓红 by her former title, so the proofreading panel shows a fact
    /// finding too; the places make opinion entities. The people are invented, like everyone in the samples.
    static var facts: [[String: Any]] {
        [
            ["kind": "person", "term": "陈晓红", "title": "主任", "items": ["副主任"], "note": "集里街道办事处（演示数据）"],
            ["kind": "person", "term": "周立新", "title": "局长", "items": ["副局长"], "note": "浏阳市应急管理局（演示数据）"],
            ["kind": "place", "term": "集里街道"], ["kind": "place", "term": "金沙路"], ["kind": "place", "term": "大围山"],
            ["kind": "organisation", "term": "浏阳市应急管理局"],
        ]
    }

    static let opinionStories: [OpinionStory] = [
        OpinionStory(key: "fireworks", hashtag: "#浏阳国际焰火节#", subjects: ["浏阳国际焰火节", "今年的浏阳焰火节", "浏阳焰火节无人机表演"],
                     comments: ["太期待了，已经订好酒店！", "无人机加焰火，想想就很震撼，点赞！", "每年都去看，浏阳花炮真是一张名片。",
                                "带孩子去看过一次，非常漂亮，推荐大家去。", "希望今年交通组织好一点，散场不要太堵。"],
                     hoursAgo: 2...20, posts: 24),
        OpinionStory(key: "flooding", hashtag: "#金沙路下穿通道积水#", subjects: ["浏阳金沙路下穿通道", "金沙路那个下穿通道", "浏阳城区金沙路"],
                     comments: ["又积水了，电动车直接熄火，太失望了！", "反映了好几次都没人管，非常气愤。", "水没过小腿，孩子上学都过不去，太糟糕了。",
                                "每次下雨都这样，排水设施到底有没有人维护？", "出行太不方便了，希望有关部门尽快整改。"],
                     hoursAgo: 0.1...1.5, posts: 18),
        OpinionStory(key: "safety", hashtag: "#花炮安全生产大检查#", subjects: ["花炮企业安全检查组", "市应急管理局", "花炮生产线"],
                     comments: ["开展冬季安全生产大检查。", "检查组抽查了32家企业的仓储和生产线。", "要求企业落实主体责任，严禁超量储存。",
                                "部分企业的自动化生产线已经投入使用。"],
                     hoursAgo: 4...16, posts: 14),
    ]

    static let opinionAuthors = ["浏阳生活圈", "湘江晚风", "小城故事多", "长沙吃货", "焰火摄影师", "金沙路居民", "浏阳老表", "大围山下",
                                 "花炮之乡", "湖南交通", "阿杰爱旅行", "城事观察", "晚归的人", "学生家长李女士"]
}
